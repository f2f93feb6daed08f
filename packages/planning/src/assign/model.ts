import { z } from 'zod'

/**
 * The generalised assignment problem (Ross & Soland 1975): every job goes to exactly one agent; job j on
 * agent i costs (or is worth) cost[i][j] and uses hours[i][j] of agent i's capacity[i]. Matrices are agent
 * by job, as in OR-Library. Exclusions forbid single pairs (hard constraints).
 */
const finite = z.number().finite()

export const assignmentProblemSchema = z
  .object({
    objective: z.enum(['min', 'max']),
    /** cost[agent][job]: what the objective adds up. */
    cost: z.array(z.array(finite).min(1)).min(1),
    /** hours[agent][job]: capacity the job uses on that agent. */
    hours: z.array(z.array(z.number().min(0).finite()).min(1)).min(1),
    capacity: z.array(z.number().min(0).finite()).min(1),
    /**
     * Soft capacity: hours above target[i] (up to the hard capacity) are allowed but each costs overCost[i]
     * (subtracted for a max objective). A convex, piecewise-linear load cost, e.g. a utilisation target.
     */
    target: z.array(z.number().min(0).finite()).optional(),
    overCost: z.array(z.number().min(0).finite()).optional(),
    exclusions: z
      .array(z.object({ agent: z.number().int().min(0), job: z.number().int().min(0) }))
      .default([]),
  })
  .superRefine((p, ctx) => {
    const m = p.capacity.length
    const n = p.cost[0]?.length ?? 0
    if (p.cost.length !== m)
      ctx.addIssue({ code: 'custom', path: ['cost'], message: `expected ${m} rows (one per agent)` })
    if (p.hours.length !== m)
      ctx.addIssue({ code: 'custom', path: ['hours'], message: `expected ${m} rows (one per agent)` })
    p.cost.forEach((row, i) => {
      if (row.length !== n) ctx.addIssue({ code: 'custom', path: ['cost', i], message: `expected ${n} jobs` })
    })
    p.hours.forEach((row, i) => {
      if (row.length !== n)
        ctx.addIssue({ code: 'custom', path: ['hours', i], message: `expected ${n} jobs` })
    })
    if ((p.target === undefined) !== (p.overCost === undefined))
      ctx.addIssue({ code: 'custom', path: ['target'], message: 'target and overCost go together' })
    if (p.target && p.target.length !== m)
      ctx.addIssue({ code: 'custom', path: ['target'], message: `expected ${m} targets` })
    if (p.overCost && p.overCost.length !== m)
      ctx.addIssue({ code: 'custom', path: ['overCost'], message: `expected ${m} costs` })
    p.exclusions.forEach((e, k) => {
      if (e.agent >= m || e.job >= n)
        ctx.addIssue({ code: 'custom', path: ['exclusions', k], message: 'agent or job out of range' })
    })
  })

export type AssignmentProblemInput = z.input<typeof assignmentProblemSchema>
export type AssignmentProblem = z.output<typeof assignmentProblemSchema>

export const assignmentOptionsSchema = z.object({
  /** Wall-clock cap on the whole solve; by default 2 s, growing with size to 10 s at 128,000 pairs. */
  timeLimitMs: z.number().int().min(1).max(600_000).optional(),
  seed: z.number().int().default(1),
  /** Use the MIP (HiGHS) to improve and prove; 'auto' when the model is small enough for the time left. */
  exact: z.enum(['auto', 'off']).default('auto'),
})
export type AssignmentOptions = z.input<typeof assignmentOptionsSchema>

/** The problem as flat arrays, minimising (a max problem has its costs negated). */
export interface Gap {
  m: number
  n: number
  sign: 1 | -1
  /** cost[i * n + j], already multiplied by sign. */
  cost: Float64Array
  hours: Float64Array
  capacity: Float64Array
  /** Soft capacity per agent (Infinity when none) and the cost per hour above it (in minimisation form). */
  target: Float64Array
  overCost: Float64Array
  /** 1 where job j may go to agent i (not excluded and fits the agent's capacity on its own). */
  allowed: Uint8Array
}

export function toGap(p: AssignmentProblem): Gap {
  const m = p.capacity.length
  const n = p.cost[0]!.length
  const sign = p.objective === 'min' ? 1 : -1
  const cost = new Float64Array(m * n)
  const hours = new Float64Array(m * n)
  const allowed = new Uint8Array(m * n)
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      cost[i * n + j] = sign * p.cost[i]![j]!
      hours[i * n + j] = p.hours[i]![j]!
      allowed[i * n + j] = p.hours[i]![j]! <= p.capacity[i]! + 1e-9 ? 1 : 0
    }
  }
  for (const e of p.exclusions) allowed[e.agent * n + e.job] = 0
  const target = p.target ? Float64Array.from(p.target) : new Float64Array(m).fill(Number.POSITIVE_INFINITY)
  const overCost = p.overCost ? Float64Array.from(p.overCost) : new Float64Array(m)
  return { m, n, sign, cost, hours, capacity: Float64Array.from(p.capacity), target, overCost, allowed }
}

/** The soft-capacity cost of agent i at load l. */
export function overTargetCost(g: Gap, i: number, l: number): number {
  const over = l - g.target[i]!
  return over > 1e-9 ? over * g.overCost[i]! : 0
}
