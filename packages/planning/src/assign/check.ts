import { parseInput } from '../parse-input.js'
import { type AssignmentProblemInput, assignmentProblemSchema } from './model.js'

/**
 * Independent feasibility check of an assignment (agent per job): every job on one existing agent, no
 * excluded pair, no agent over capacity. Returns what is wrong (empty when feasible) and the objective.
 */
export function checkAssignment(
  input: AssignmentProblemInput,
  assignment: readonly number[],
): { errors: string[]; objective: number } {
  const p = parseInput(assignmentProblemSchema, input, 'assignment problem')
  const m = p.capacity.length
  const n = p.cost[0]!.length
  const errors: string[] = []
  if (assignment.length !== n)
    return { errors: [`expected ${n} jobs, got ${assignment.length}`], objective: Number.NaN }
  const excluded = new Set(p.exclusions.map((e) => `${e.agent}:${e.job}`))
  const load = new Array<number>(m).fill(0)
  let objective = 0
  assignment.forEach((i, j) => {
    if (!Number.isInteger(i) || i < 0 || i >= m) {
      errors.push(`job ${j} has no valid agent (${i})`)
      return
    }
    if (excluded.has(`${i}:${j}`)) errors.push(`job ${j} is on agent ${i}, an excluded pair`)
    load[i]! += p.hours[i]![j]!
    objective += p.cost[i]![j]!
  })
  const sign = p.objective === 'min' ? 1 : -1
  load.forEach((l, i) => {
    if (l > p.capacity[i]! + 1e-9) errors.push(`agent ${i} over capacity: ${l} > ${p.capacity[i]}`)
    if (p.target && p.overCost) objective += sign * Math.max(0, l - p.target[i]!) * p.overCost[i]!
  })
  return { errors, objective }
}
