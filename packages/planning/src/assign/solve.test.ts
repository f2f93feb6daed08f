import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FormatError } from '../formats/format-error.js'
import { parseOrlibGap } from '../formats/orlib-gap.js'
import { bruteForce, intMatrix, gapProblems as problems } from '../testing/gap.js'
import { checkAssignment } from './check.js'
import { solveAssignment } from './solve.js'

const testdata = join(import.meta.dirname, '../testdata')

describe('solveAssignment', () => {
  it('finds the optimum, feasible, whenever an assignment exists, and says so when none does', async () => {
    await fc.assert(
      fc.asyncProperty(problems, async (p) => {
        const r = await solveAssignment(p, { timeLimitMs: 5000 })
        const optimum = bruteForce(p)
        if (optimum === null) {
          expect(r).toMatchObject({ feasible: false, proven: true })
          return
        }
        if (!r.feasible) throw new Error(`no assignment returned: ${r.message}`)
        const check = checkAssignment(p, r.assignment)
        expect(check.errors).toEqual([])
        expect(check.objective).toBe(r.objective)
        expect(r.objective).toBe(optimum)
        expect(r.optimal).toBe(true)
      }),
      { numRuns: 80 },
    )
  })

  it('keeps assignments feasible on larger random instances, with the heuristic alone', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 6 }).chain((m) =>
          fc.integer({ min: 5, max: 40 }).chain((n) =>
            fc.record({
              objective: fc.constant('min' as const),
              cost: intMatrix(m, n, 1, 50),
              hours: intMatrix(m, n, 1, 20),
              capacity: fc.constant(Array.from({ length: m }, () => Math.ceil((12 * n) / m))),
            }),
          ),
        ),
        async (p) => {
          const r = await solveAssignment(p, { timeLimitMs: 100, exact: 'off' })
          if (r.feasible) expect(checkAssignment(p, r.assignment).errors).toEqual([])
          else expect(r.proven).toBe(false)
        },
      ),
      { numRuns: 25 },
    )
  })

  for (const [file, objective, best] of [
    ['c0515_1', 'min', 261],
    ['c0515_1', 'max', 336],
    ['c0824_3', 'min', 383],
    ['a05100', 'min', 1698],
  ] as const) {
    it(`proves the optimum of OR-Library ${file} (${objective}) = ${best}`, async () => {
      const problem = parseOrlibGap(readFileSync(join(testdata, `${file}.txt`), 'utf8'), objective)
      const r = await solveAssignment(problem, { timeLimitMs: 10_000 })
      if (!r.feasible) throw new Error(r.message)
      expect(checkAssignment(problem, r.assignment).errors).toEqual([])
      expect(r.objective).toBe(best)
      expect(r.optimal).toBe(true)
      expect(r.lpBound).not.toBeNull()
    })
  }

  it('names a job that fits no agent', async () => {
    const r = await solveAssignment({ objective: 'min', cost: [[1, 1]], hours: [[1, 5]], capacity: [3] })
    expect(r).toMatchObject({ feasible: false, proven: true, reason: 'job_fits_no_agent' })
  })

  it('names the line of a malformed OR-Library file', () => {
    expect(() => parseOrlibGap('2 2\n1 2\n3 x\n', 'min')).toThrow(
      new FormatError(3, 'expected a number, found "x"'),
    )
    expect(() => parseOrlibGap('2 2\n1 2 3 4\n', 'min')).toThrow(
      /expected 12 numbers for 2 agents × 2 jobs, found 6/,
    )
  })
})
