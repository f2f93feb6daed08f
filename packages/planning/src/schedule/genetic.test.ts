import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { generateRcpsp } from '../generators/rcpsp.js'
import { seededRandom } from '../random.js'
import { compile } from './compiled.js'
import { crossover, mutate } from './genetic.js'
import { scheduleProblemSchema } from './model.js'
import { priorityValues, sampleList } from './priority.js'
import { earliestStarts, topologicalOrder } from './temporal.js'

const projects = fc
  .record({
    jobs: fc.integer({ min: 2, max: 30 }),
    networkComplexity: fc.constantFrom(1.5, 2.1),
    resourceFactor: fc.constantFrom(0.5, 1),
    resourceStrength: fc.constantFrom(0.2, 0.5),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
  })
  .map((p) => compile(scheduleProblemSchema.parse(generateRcpsp(p))))

/** Whether `list` holds every task once, each after all its predecessors. */
function precedenceFeasible(c: ReturnType<typeof compile>, list: Int32Array): boolean {
  const pos = new Int32Array(c.n).fill(-1)
  list.forEach((i, k) => {
    pos[i] = k
  })
  if (pos.some((k) => k < 0)) return false
  for (let i = 0; i < c.n; i++)
    for (let e = c.predStart[i]!; e < c.predStart[i + 1]!; e++) if (pos[c.pred[e]!]! > pos[i]!) return false
  return true
}

describe('activity-list operators', () => {
  it('crossover and mutation keep lists precedence-feasible permutations', () => {
    fc.assert(
      fc.property(projects, fc.integer({ min: 1, max: 1000 }), (c, seed) => {
        const rnd = seededRandom(seed)
        const forward = earliestStarts(c, topologicalOrder(c))
        if (!forward.ok) throw new Error('cycle')
        const values = priorityValues(c, 'LFT', forward.es, forward.es)
        const mother = sampleList(c, values, rnd, 0)
        const father = sampleList(c, values, rnd, 0)
        const q2 = rnd.int(c.n + 1)
        const child = crossover(mother, father, rnd.int(q2 + 1), q2)
        expect(precedenceFeasible(c, child)).toBe(true)
        for (const rate of [0.05, 0.5, 1]) {
          mutate(c, child, rate, rnd)
          expect(precedenceFeasible(c, child)).toBe(true)
        }
      }),
      { numRuns: 100 },
    )
  })

  it('mutation swaps each pair of unrelated neighbours with the given chance', () => {
    // No dependencies: every pair may swap, so the number of swaps per pass is binomial(n - 1, rate).
    const p = { tasks: Array.from({ length: 201 }, (_, k) => ({ id: `t${k}`, duration: 1 })) }
    const c = compile(scheduleProblemSchema.parse(p))
    const rnd = seededRandom(5)
    for (const rate of [0.05, 0.15, 0.5]) {
      let swaps = 0
      const passes = 400
      for (let r = 0; r < passes; r++) {
        const list = Int32Array.from({ length: c.n }, (_, k) => k)
        mutate(c, list, rate, rnd)
        // A swap moves a task one place on; a run of swaps carries one task several places.
        for (let k = 0; k < c.n; k++) if (list[k]! > k) swaps += list[k]! - k
      }
      const expected = rate * (c.n - 1) * passes
      expect(Math.abs(swaps - expected)).toBeLessThan(0.1 * expected)
    }
  })
})
