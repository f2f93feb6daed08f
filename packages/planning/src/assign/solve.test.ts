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
          else if (r.proven) {
            // Without the exact step the proofs are a job no agent has the hours for and the LP relaxation
            // (which runs when it fits in the time: about 1 sample in 3,000 is LP-infeasible, all small).
            expect(['job_fits_no_agent', 'lp_infeasible']).toContain(r.reason)
            const m = p.capacity.length
            const n = p.cost[0]!.length
            if (m ** n <= 100_000) expect(bruteForce(p)).toBeNull()
          } else expect(r.reason).toBe('none_found')
        },
      ),
      { numRuns: 25 },
    )
  })

  it('proves an instance infeasible by the LP relaxation, with the heuristic alone', async () => {
    // Found by the property above: every job fits an agent, but the 7 jobs need at least 86 h of the 84.
    const p = {
      objective: 'min' as const,
      cost: [
        [9, 26, 29, 50, 48, 1, 49],
        [25, 1, 2, 50, 44, 33, 45],
      ],
      hours: [
        [19, 5, 18, 15, 16, 18, 17],
        [19, 15, 4, 11, 12, 20, 20],
      ],
      capacity: [42, 42],
    }
    expect(bruteForce(p)).toBeNull()
    // A generous limit: with too little time for the LP the answer is 'none_found' (no proof).
    const r = await solveAssignment(p, { timeLimitMs: 5000, exact: 'off' })
    expect(r).toMatchObject({ feasible: false, proven: true, reason: 'lp_infeasible' })
  })

  it('proves an instance infeasible when a job fits no agent, with the heuristic alone', async () => {
    // Found by the property above (seed 2050836815): job 1 needs 13 h of every agent's 12.
    const row = [1, 13, 1, 1, 1]
    const r = await solveAssignment(
      {
        objective: 'min',
        cost: Array.from({ length: 5 }, () => [1, 1, 1, 1, 1]),
        hours: Array.from({ length: 5 }, () => row),
        capacity: [12, 12, 12, 12, 12],
      },
      { timeLimitMs: 100, exact: 'off' },
    )
    expect(r).toMatchObject({ feasible: false, proven: true, reason: 'job_fits_no_agent' })
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
