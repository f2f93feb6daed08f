import { z } from 'zod'
import { parseInput } from '../parse-input.js'
import type { AssignmentOptions, AssignmentProblemInput } from './model.js'
import { type Assignment, type NoAssignment, solveAssignment } from './solve.js'

/**
 * Staffing as a generalised assignment: open resource requests are the jobs, candidate people the agents.
 * The objective is explicit and weighted (each term normalised so the weights compare):
 *   cost        · Σ hours · cost rate / (largest hours · rate among the pairs)
 *   skillFit    · Σ (1 - fit) · hours / (largest request hours)
 *   utilisation · Σ hours of requests placed beyond a person's utilisation target / (largest request hours)
 *   unfilled    · Σ hours of requests left open / (largest request hours)      (only when `unfilledPenalty` is set)
 * Each person is one agent whose hard capacity is their free hours (capacity - booked) and whose soft
 * capacity is the hours up to their target (target · capacity - booked): the utilisation term is the
 * GAP's convex over-target cost, exact per hour. Pairs not listed in `pairs`, and those in `exclusions`,
 * are never assigned (hard exclusions).
 */
export const staffingProblemSchema = z.object({
  requests: z
    .array(
      z.object({
        id: z.string().min(1),
        /** Hours the request needs in the planning period. */
        hours: z.number().positive().finite(),
      }),
    )
    .min(1),
  candidates: z
    .array(
      z.object({
        id: z.string().min(1),
        /** Hours the person can work in the period (capacity net of time off). */
        capacityHours: z.number().min(0).finite(),
        /** Hours already booked in the period. */
        bookedHours: z.number().min(0).finite().default(0),
        /** Share of capacity the person should be booked at most (0–1). */
        utilisationTarget: z.number().min(0).max(1).default(1),
        /** Cost per hour in minor units. */
        costRate: z.number().min(0).finite(),
      }),
    )
    .min(1),
  /** The candidate pairs: who may take which request, how well they fit (0–1), hours if not the request's. */
  pairs: z
    .array(
      z.object({
        request: z.string().min(1),
        candidate: z.string().min(1),
        skillFit: z.number().min(0).max(1),
        hours: z.number().positive().finite().optional(),
      }),
    )
    .min(1),
  exclusions: z.array(z.object({ request: z.string(), candidate: z.string() })).default([]),
  weights: z
    .object({
      cost: z.number().min(0).finite().default(1),
      skillFit: z.number().min(0).finite().default(1),
      utilisation: z.number().min(0).finite().default(1),
    })
    .default({ cost: 1, skillFit: 1, utilisation: 1 }),
  /** Weight of leaving a request open; without it every request must be staffed or the plan is infeasible. */
  unfilledPenalty: z.number().min(0).finite().optional(),
  objective: z.literal('min').default('min'),
})

export type StaffingProblemInput = z.input<typeof staffingProblemSchema>
export type StaffingRequest = z.output<typeof staffingProblemSchema>['requests'][number]
export type StaffingCandidate = z.output<typeof staffingProblemSchema>['candidates'][number]

export interface StaffingPlan {
  feasible: true
  /** Candidate id per request id, or null when left open. */
  assignments: {
    request: string
    candidate: string | null
    hours: number
    skillFit: number | null
    cost: number
  }[]
  people: {
    candidate: string
    assignedHours: number
    utilisationBefore: number
    utilisationAfter: number
    overTargetHours: number
  }[]
  /** The weighted objective and its terms (before weighting). */
  objective: { total: number; cost: number; misfit: number; overTarget: number; unfilled: number }
  totalCost: number
  optimal: boolean
  gap: number
  /** The best proven lower bound on the objective, and the LP relaxation's optimum when it was solved. */
  bound: number
  lpBound: number | null
  method: Assignment['method']
}

export type StaffingResult = StaffingPlan | NoAssignment

/** The parsed problem with its pairs and the scales that normalise the objective terms. */
interface StaffingModel {
  p: z.output<typeof staffingProblemSchema>
  pair: Map<string, { skillFit: number; hours: number }>
  reqIndex: Map<string, number>
  candIndex: Map<string, number>
  costScale: number
  hoursScale: number
  withinCap: number[]
  availCap: number[]
}

function staffingModel(input: StaffingProblemInput): StaffingModel {
  const p = parseInput(staffingProblemSchema, input, 'staffing problem')
  const reqIndex = new Map(p.requests.map((r, j) => [r.id, j]))
  const candIndex = new Map(p.candidates.map((c, k) => [c.id, k]))
  const excluded = new Set(p.exclusions.map((e) => `${e.request}\u0000${e.candidate}`))
  const pair = new Map<string, { skillFit: number; hours: number }>()
  for (const x of p.pairs) {
    const j = reqIndex.get(x.request)
    const k = candIndex.get(x.candidate)
    if (j === undefined || k === undefined) continue
    if (excluded.has(`${x.request}\u0000${x.candidate}`)) continue
    pair.set(`${k}:${j}`, { skillFit: x.skillFit, hours: x.hours ?? p.requests[j]!.hours })
  }
  let costScale = 0
  let hoursScale = 0
  for (const [key, v] of pair) {
    const k = Number(key.split(':')[0])
    costScale = Math.max(costScale, v.hours * p.candidates[k]!.costRate)
    hoursScale = Math.max(hoursScale, v.hours)
  }
  for (const r of p.requests) hoursScale = Math.max(hoursScale, r.hours)
  costScale ||= 1
  const withinCap = p.candidates.map((c) =>
    Math.max(0, c.utilisationTarget * c.capacityHours - c.bookedHours),
  )
  const availCap = p.candidates.map((c) => Math.max(0, c.capacityHours - c.bookedHours))
  return { p, pair, reqIndex, candIndex, costScale, hoursScale, withinCap, availCap }
}

type Scored = Omit<StaffingPlan, 'optimal' | 'gap' | 'bound' | 'lpBound' | 'method'>

/** Scores a choice (candidate index per request, -1 for open) with the model's own normalisation. */
function score(m: StaffingModel, choice: readonly number[]): Scored {
  const { p, pair, costScale, hoursScale, withinCap } = m
  const w = p.weights
  const assigned = new Array<number>(p.candidates.length).fill(0)
  const terms = { cost: 0, misfit: 0, overTarget: 0, unfilled: 0 }
  let totalCost = 0
  const assignments = p.requests.map((r, j) => {
    const k = choice[j]!
    if (k < 0) {
      terms.unfilled += r.hours / hoursScale
      return { request: r.id, candidate: null, hours: 0, skillFit: null, cost: 0 }
    }
    const v = pair.get(`${k}:${j}`)!
    assigned[k]! += v.hours
    const money = v.hours * p.candidates[k]!.costRate
    totalCost += money
    terms.cost += money / costScale
    terms.misfit += ((1 - v.skillFit) * v.hours) / hoursScale
    return {
      request: r.id,
      candidate: p.candidates[k]!.id,
      hours: v.hours,
      skillFit: v.skillFit,
      cost: money,
    }
  })
  const overTarget = assigned.map((a, k) => Math.max(0, a - withinCap[k]!))
  for (const o of overTarget) terms.overTarget += o / hoursScale
  return {
    feasible: true,
    assignments,
    people: p.candidates.map((c, k) => ({
      candidate: c.id,
      assignedHours: assigned[k]!,
      utilisationBefore: c.capacityHours > 0 ? c.bookedHours / c.capacityHours : 0,
      utilisationAfter: c.capacityHours > 0 ? (c.bookedHours + assigned[k]!) / c.capacityHours : 0,
      overTargetHours: overTarget[k]!,
    })),
    objective: {
      total:
        w.cost * terms.cost +
        w.skillFit * terms.misfit +
        w.utilisation * terms.overTarget +
        (p.unfilledPenalty ?? 0) * terms.unfilled,
      ...terms,
    },
    totalCost,
  }
}

export type StaffingScore =
  | Scored
  | { feasible: false; reason: 'not_a_pair' | 'over_capacity' | 'unfilled_not_allowed'; message: string }

/**
 * The objective of a given staffing (candidate id per request id, null or absent for open), normalised as
 * planStaffing normalises it, so an alternative (a greedy pick, a swap) compares with the optimum on the
 * same scale. Refuses a staffing that uses a pair not offered, exceeds a capacity or leaves a request open
 * without `unfilledPenalty`.
 */
export function scoreStaffing(
  input: StaffingProblemInput,
  staffing: Readonly<Record<string, string | null>>,
): StaffingScore {
  const m = staffingModel(input)
  const choice = m.p.requests.map((r) => {
    const c = staffing[r.id]
    return c == null ? -1 : (m.candIndex.get(c) ?? -2)
  })
  const load = new Array<number>(m.p.candidates.length).fill(0)
  for (const [j, k] of choice.entries()) {
    const id = m.p.requests[j]!.id
    if (k === -1 && m.p.unfilledPenalty === undefined)
      return { feasible: false, reason: 'unfilled_not_allowed', message: `request ${id} is left open` }
    if (k === -1) continue
    const v = k >= 0 ? m.pair.get(`${k}:${j}`) : undefined
    if (!v)
      return {
        feasible: false,
        reason: 'not_a_pair',
        message: `request ${id} goes to a candidate not offered`,
      }
    load[k]! += v.hours
  }
  const over = load.findIndex((l, k) => l > m.availCap[k]! + 1e-9)
  if (over >= 0)
    return {
      feasible: false,
      reason: 'over_capacity',
      message: `candidate ${m.p.candidates[over]!.id} is given more hours than they have`,
    }
  return score(m, choice)
}

export async function planStaffing(
  input: StaffingProblemInput,
  options: AssignmentOptions = {},
): Promise<StaffingResult> {
  const m = staffingModel(input)
  const { p, pair, costScale, hoursScale, withinCap, availCap } = m
  const n = p.requests.length
  const people = p.candidates.length
  const w = p.weights
  const dummy = p.unfilledPenalty !== undefined
  const cost: number[][] = []
  const hours: number[][] = []
  const exclusions: { agent: number; job: number }[] = []
  for (let k = 0; k < people; k++) {
    const cRow: number[] = []
    const hRow: number[] = []
    for (let j = 0; j < n; j++) {
      const v = pair.get(`${k}:${j}`)
      if (!v) {
        cRow.push(0)
        hRow.push(0)
        exclusions.push({ agent: k, job: j })
        continue
      }
      cRow.push(
        (w.cost * v.hours * p.candidates[k]!.costRate) / costScale +
          (w.skillFit * (1 - v.skillFit) * v.hours) / hoursScale,
      )
      hRow.push(v.hours)
    }
    cost.push(cRow)
    hours.push(hRow)
  }
  const capacity = [...availCap]
  const target = [...withinCap]
  const overCost = p.candidates.map(() => w.utilisation / hoursScale)
  if (dummy) {
    cost.push(p.requests.map((r) => (p.unfilledPenalty! * r.hours) / hoursScale))
    hours.push(p.requests.map((r) => r.hours))
    const all = p.requests.reduce((s, r) => s + r.hours, 0)
    capacity.push(all)
    target.push(all)
    overCost.push(0)
  }
  const problem: AssignmentProblemInput = {
    objective: 'min',
    cost,
    hours,
    capacity,
    target,
    overCost,
    exclusions,
  }
  const result = await solveAssignment(problem, options)
  if (!result.feasible) return result
  const scored = score(
    m,
    result.assignment.map((k) => (dummy && k === people ? -1 : k)),
  )
  return {
    ...scored,
    // The solver's own total (identical up to rounding) so it compares with its bound.
    objective: { ...scored.objective, total: result.objective },
    optimal: result.optimal,
    gap: result.gap,
    bound: result.bound,
    lpBound: result.lpBound,
    method: result.method,
  }
}
