import { parseInput } from '../parse-input.js'
import { seededRandom } from '../random.js'
import { gapHeuristic } from './heuristic.js'
import { knapsackApplies, knapsackBound } from './lagrange.js'
import { solveGapLp, solveGapMip } from './mip.js'
import {
  type AssignmentOptions,
  type AssignmentProblemInput,
  assignmentOptionsSchema,
  assignmentProblemSchema,
  type Gap,
  overTargetCost,
  toGap,
} from './model.js'

export interface Assignment {
  feasible: true
  /** Total cost (or value) of the assignment in the problem's own sense. */
  objective: number
  /** Agent index (0-based) of every job. */
  assignment: number[]
  /** Hours used on each agent. */
  loads: number[]
  /** Best proven bound on the optimum (a lower bound for min, an upper bound for max). */
  bound: number
  /** The LP relaxation's optimum, when HiGHS solved it in time. */
  lpBound: number | null
  /** |objective - bound| / |bound|: how far from optimal the assignment can be at most. */
  gap: number
  optimal: boolean
  method: 'mip' | 'heuristic' | 'heuristic+mip'
  elapsedMs: number
}

export interface NoAssignment {
  feasible: false
  /** True when no feasible assignment exists (proved), false when none was found within the time limit. */
  proven: boolean
  reason: 'job_fits_no_agent' | 'lp_infeasible' | 'mip_infeasible' | 'none_found'
  message: string
}

export type AssignmentResult = Assignment | NoAssignment

/** Beyond this many pairs the LP is not attempted (memory and time of the WebAssembly solver). */
const LP_MAX_PAIRS = 300_000
/** Up to this many pairs the MIP runs after the heuristic to improve and prove. */
const MIP_MAX_PAIRS = 20_000
/** Up to this many pairs the MIP is the main method. */
const MIP_FIRST_PAIRS = 2_000

/**
 * Solves a generalised assignment problem within a time limit: the LP relaxation for the bound, the
 * Lagrangian heuristic for a good assignment fast, the MIP to improve and prove where the model is small.
 */
export async function solveAssignment(
  input: AssignmentProblemInput,
  options: AssignmentOptions = {},
): Promise<AssignmentResult> {
  const problem = parseInput(assignmentProblemSchema, input, 'assignment problem')
  const opts = parseInput(assignmentOptionsSchema, options, 'assignment options')
  const started = performance.now()
  const g = toGap(problem)
  const limit = opts.timeLimitMs ?? Math.min(10_000, Math.max(2_000, (g.m * g.n) / 12.8))
  const end = started + limit * 0.93
  for (let j = 0; j < g.n; j++) {
    let any = false
    for (let i = 0; i < g.m && !any; i++) any = g.allowed[i * g.n + j] === 1
    if (!any)
      return {
        feasible: false,
        proven: true,
        reason: 'job_fits_no_agent',
        message: `job ${j} fits no agent: every agent is excluded or has less capacity than the job needs`,
      }
  }
  let pairs = 0
  for (const a of g.allowed) pairs += a
  const integral = g.cost.every(Number.isInteger) && g.overCost.every((c) => c === 0)
  const reached = (cost: number, bound: number) => cost <= (integral ? Math.ceil(bound - 1e-6) : bound) + 1e-6

  let lp: Awaited<ReturnType<typeof solveGapLp>> | null = null
  if (pairs <= LP_MAX_PAIRS) {
    lp = await solveGapLp(g, started + (end - started) * 0.5)
    if (lp.status === 'infeasible')
      return {
        feasible: false,
        proven: true,
        reason: 'lp_infeasible',
        message:
          'no assignment exists: even splitting jobs between agents cannot fit them into the capacities',
      }
  }
  let bound = lp?.status === 'optimal' ? lp.bound : Number.NEGATIVE_INFINITY
  const rnd = seededRandom(opts.seed)
  const useMip = opts.exact === 'auto' && pairs <= MIP_MAX_PAIRS
  const mipFirst = useMip && pairs <= MIP_FIRST_PAIRS
  const now = performance.now()
  const heuristicEnd = now + (end - now) * (mipFirst ? 0.1 : useMip ? 0.6 : 1)
  const lpReady = lp?.status === 'optimal' ? lp : null
  const h = gapHeuristic(g, {
    deadlineAt: heuristicEnd,
    rnd,
    target: bound,
    ...(lpReady ? { u: lpReady.u, x: lpReady.x } : {}),
  })
  bound = Math.max(bound, h.lagrangianBound)
  let best = h.assignment
  let bestCost = h.cost
  let method: Assignment['method'] = 'heuristic'
  let proved = best !== null && reached(bestCost, bound)
  // The knapsack (Lagrangian) bound, and the pairs it shows cannot be in a cheaper assignment; each time the
  // MIP beats the incumbent, the fixing is redone against the better one (the pairs left shrink).
  const knapsack = useMip && best !== null && knapsackApplies(g)
  const improve = integral ? 1 - 1e-6 : 1e-9
  let multipliers = lpReady?.v ?? null
  for (let round = 0; useMip && !proved && performance.now() < end; round++) {
    let columns = g.allowed
    const incumbent = best ? bestCost : Number.POSITIVE_INFINITY
    if (knapsack && best) {
      const now = performance.now()
      const kb = knapsackBound(
        g,
        bestCost,
        improve,
        multipliers,
        now + (end - now) * 0.15,
        round === 0 ? 200 : 60,
      )
      multipliers = kb.v
      bound = Math.max(bound, kb.bound)
      proved = reached(bestCost, bound)
      if (proved) break
      columns = kb.keep
    }
    const reduced = columns !== g.allowed
    const again = knapsack && round < 4
    // Only assignments cheaper than the incumbent matter: the cutoff lets HiGHS prune the rest even when the
    // incumbent itself is no longer in the model.
    const cutoff = best ? incumbent - improve + 1e-7 : undefined
    const mip = await solveGapMip(
      g,
      end,
      best,
      integral,
      columns,
      again ? incumbent - improve : undefined,
      cutoff,
    )
    if (mip.status === 'infeasible' && (reduced || cutoff !== undefined) && best) {
      // Nothing cheaper than the incumbent among the pairs left: it is optimal.
      bound = Math.max(bound, bestCost)
    } else if (mip.status === 'infeasible')
      return {
        feasible: false,
        proven: true,
        reason: 'mip_infeasible',
        message:
          'no assignment exists: the MIP proved that the jobs cannot all be placed within the capacities',
      }
    method = best ? 'heuristic+mip' : 'mip'
    if (mip.assignment) {
      const c = costOf(g, mip.assignment)
      if (c < bestCost - 1e-9 && isFeasible(g, mip.assignment)) {
        best = mip.assignment
        bestCost = c
      }
    }
    // With pairs left out, the MIP's bound holds for the assignments cheaper than the incumbent only.
    if (mip.status !== 'infeasible')
      bound = Math.max(bound, reduced ? Math.min(mip.bound, incumbent) : mip.bound)
    if (mip.status === 'optimal' && best) bound = Math.max(bound, bestCost)
    proved = best !== null && reached(bestCost, bound)
    if (!(again && bestCost < incumbent - improve)) break
  }
  if (!best && performance.now() < end) {
    // Keep searching with the rest of the time rather than give up.
    const more = gapHeuristic(g, { deadlineAt: end, rnd, target: bound })
    best = more.assignment
    bestCost = more.cost
  }
  if (!best)
    return {
      feasible: false,
      proven: false,
      reason: 'none_found',
      message: 'no feasible assignment was found within the time limit (none was proved impossible either)',
    }
  // `+ 0` turns the -0 of a negated zero into 0.
  const objective = g.sign * bestCost + 0
  const signedBound = Number.isFinite(bound)
    ? g.sign * (integral ? Math.ceil(bound - 1e-6) : bound)
    : g.sign * Number.NEGATIVE_INFINITY
  const loads = new Array<number>(g.m).fill(0)
  best.forEach((i, j) => {
    loads[i]! += g.hours[i * g.n + j]!
  })
  return {
    feasible: true,
    objective,
    assignment: [...best],
    loads,
    bound: signedBound,
    lpBound: lp?.status === 'optimal' ? g.sign * lp.bound : null,
    gap:
      Number.isFinite(signedBound) && signedBound !== 0
        ? Math.abs(objective - signedBound) / Math.abs(signedBound)
        : proved
          ? 0
          : 1,
    optimal: proved,
    method,
    elapsedMs: Math.round(performance.now() - started),
  }
}

function costOf(g: Gap, a: Int32Array): number {
  let c = 0
  const load = new Float64Array(g.m)
  a.forEach((i, j) => {
    c += g.cost[i * g.n + j]!
    load[i]! += g.hours[i * g.n + j]!
  })
  for (let i = 0; i < g.m; i++) c += overTargetCost(g, i, load[i]!)
  return c
}

function isFeasible(g: Gap, a: Int32Array): boolean {
  const load = new Float64Array(g.m)
  for (let j = 0; j < g.n; j++) {
    const i = a[j]!
    if (i < 0 || i >= g.m || !g.allowed[i * g.n + j]) return false
    load[i]! += g.hours[i * g.n + j]!
  }
  return load.every((l, i) => l <= g.capacity[i]! + 1e-9)
}
