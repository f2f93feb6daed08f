import fc from 'fast-check'
import { checkAssignment } from '../assign/check.js'
import type { AssignmentProblemInput } from '../assign/model.js'

/** An m × n matrix of whole numbers in [min, max]. */
export function intMatrix(m: number, n: number, min: number, max: number) {
  return fc.array(fc.array(fc.integer({ min, max }), { minLength: n, maxLength: n }), {
    minLength: m,
    maxLength: m,
  })
}

/** Every feasible assignment of a small instance, with its objective. */
export function forEachAssignment(
  p: AssignmentProblemInput,
  visit: (a: number[], objective: number) => void,
) {
  const m = p.capacity.length
  const n = p.cost[0]!.length
  const a = new Array<number>(n).fill(0)
  for (let code = 0; code < m ** n; code++) {
    for (let j = 0, x = code; j < n; j++, x = Math.floor(x / m)) a[j] = x % m
    const { errors, objective } = checkAssignment(p, a)
    if (errors.length === 0) visit(a, objective)
  }
}

/** The optimum by enumerating every assignment (null when none is feasible). */
export function bruteForce(p: AssignmentProblemInput): number | null {
  const sign = p.objective === 'min' ? 1 : -1
  let best: number | null = null
  forEachAssignment(p, (_, objective) => {
    if (best === null || sign * objective < sign * best) best = objective
  })
  return best
}

/** Small random GAP instances (with exclusions and sometimes soft capacities) that brute force can solve. */
export const gapProblems = fc
  .record({ m: fc.integer({ min: 1, max: 3 }), n: fc.integer({ min: 1, max: 6 }) })
  .chain(({ m, n }) =>
    fc.record({
      objective: fc.constantFrom('min' as const, 'max' as const),
      cost: intMatrix(m, n, 0, 30),
      hours: intMatrix(m, n, 1, 10),
      capacity: fc.array(fc.integer({ min: 0, max: 25 }), { minLength: m, maxLength: m }),
      exclusions: fc.array(
        fc.record({ agent: fc.integer({ min: 0, max: m - 1 }), job: fc.integer({ min: 0, max: n - 1 }) }),
        {
          maxLength: 3,
        },
      ),
      soft: fc.option(
        fc.record({
          target: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: m, maxLength: m }),
          overCost: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: m, maxLength: m }),
        }),
        { nil: undefined },
      ),
    }),
  )
  .map(({ soft, ...p }): AssignmentProblemInput => ({ ...p, ...(soft ?? {}) }))
