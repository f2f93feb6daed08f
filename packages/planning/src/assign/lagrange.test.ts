import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bruteForce, forEachAssignment, gapProblems } from '../testing/gap.js'
import { knapsackApplies, knapsackBound } from './lagrange.js'
import { assignmentProblemSchema, toGap } from './model.js'

describe('knapsack bound and variable fixing', () => {
  it('never exceeds the optimum and keeps every pair of every optimal assignment', () => {
    fc.assert(
      fc.property(gapProblems, fc.integer({ min: 0, max: 6 }), (input, slack) => {
        const p = assignmentProblemSchema.parse(input)
        const g = toGap(p)
        const optimum = bruteForce(input)
        if (optimum === null || !knapsackApplies(g)) return
        const opt = g.sign * optimum
        // An incumbent `slack` above the optimum (0: the optimum itself is the incumbent).
        const kb = knapsackBound(g, opt + slack, 1 - 1e-6, null, performance.now() + 1000)
        expect(kb.bound).toBeLessThanOrEqual(opt + 1e-6)
        if (slack === 0) return
        forEachAssignment(input, (a, objective) => {
          if (objective !== optimum) return
          a.forEach((i, j) => {
            expect(kb.keep[i * g.n + j]).toBe(1)
          })
        })
      }),
      { numRuns: 300 },
    )
  })
})
