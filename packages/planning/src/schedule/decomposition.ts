import type { Random } from '../random.js'
import { type Compiled, capacityAt, changeDaysOf, csr, profileEnd } from './compiled.js'
import { Decoder, geneticSearch, type Individual } from './genetic.js'
import { PRIORITY_RULES, priorityValues, sampleList } from './priority.js'
import { earliestStarts, latestStarts, topologicalOrder } from './temporal.js'
import { Timeline } from './timeline.js'

/**
 * Decomposition of the best schedule into subproblems, after the decomposition-based genetic algorithm of
 * Debels & Vanhoucke (2007, _A decomposition-based genetic algorithm for the resource-constrained
 * project-scheduling problem_, Operations Research 55(3), 457–469). A window of tasks that start next to each
 * other in the best schedule becomes a small RCPSP of its own: the tasks before the window stay where they
 * are, their resource use is taken off the capacity (a per-day residual profile) and their finishes become
 * release dates; the window's tasks are rescheduled by the same GA to finish as early as they can. The
 * subproblem's best order then goes back into the whole activity list (tasks before the window, the window
 * in its new order, the rest), which the serial SGS and double justification decode; the whole schedule is
 * kept when it is no longer than the best, so the search also walks across plateaus. A small subproblem's
 * schedules cost a fraction of a whole one, so the GA gets many more generations where they matter.
 */

/** Subproblem sizes as shares of the project, drawn per round. */
const MIN_SHARE = 0.2
const MAX_SHARE = 0.5
const MIN_TASKS = 8
/** Schedule passes one subproblem's GA may use, in its own (smaller) schedules. */
const SUB_SCHEDULES = 1800

export interface DecompositionBudget {
  /** Stop when the main decoder has counted this many schedules (sub-schedules count by their size). */
  maxSchedules: number
  deadlineAt: number
  target: number
}

/** The window's tasks as a project of their own over the capacity the fixed tasks leave. */
export function subproblem(
  c: Compiled,
  starts: Int32Array,
  members: Int32Array,
  fixed: Uint8Array,
): Compiled {
  const m = members.length
  const local = new Int32Array(c.n).fill(-1)
  for (let k = 0; k < m; k++) local[members[k]!] = k
  const release = new Int32Array(m)
  const from: number[] = []
  const to: number[] = []
  const d: number[] = []
  const dep: number[] = []
  for (let k = 0; k < m; k++) {
    const i = members[k]!
    let r = c.release[i]!
    for (let e = c.predStart[i]!; e < c.predStart[i + 1]!; e++) {
      const p = c.pred[e]!
      if (fixed[p]) r = Math.max(r, starts[p]! + c.predDelta[e]!)
      else if (local[p]! >= 0) {
        from.push(local[p]!)
        to.push(k)
        d.push(c.predDelta[e]!)
        dep.push(c.predDep[e]!)
      }
    }
    release[k] = r
  }
  // Residual capacity: what the fixed tasks leave on each day, base capacity after them.
  let H = profileEnd(c)
  for (let i = 0; i < c.n; i++) if (fixed[i]) H = Math.max(H, starts[i]! + c.dur[i]!)
  const K = c.base.length
  const profile: Float64Array[] = []
  for (let k = 0; k < K; k++) {
    const p = new Float64Array(H)
    for (let t = 0; t < H; t++) p[t] = capacityAt(c, k, t)
    profile.push(p)
  }
  for (let i = 0; i < c.n; i++) {
    if (!fixed[i]) continue
    const s = starts[i]!
    for (let e = c.demStart[i]!; e < c.demStart[i + 1]!; e++) {
      const p = profile[c.demRes[e]!]!
      for (let t = s; t < s + c.dur[i]!; t++) p[t]! -= c.demAmt[e]!
    }
  }
  const demStart = new Int32Array(m + 1)
  const demRes: number[] = []
  const demAmt: number[] = []
  for (let k = 0; k < m; k++) {
    const i = members[k]!
    for (let e = c.demStart[i]!; e < c.demStart[i + 1]!; e++) {
      demRes.push(c.demRes[e]!)
      demAmt.push(c.demAmt[e]!)
    }
    demStart[k + 1] = demRes.length
  }
  const F = Int32Array.from(from)
  const T = Int32Array.from(to)
  const D = Int32Array.from(d)
  const out = csr(m, F, T, D)
  const inc = csr(m, T, F, D)
  const depOf = (order: Int32Array) => order.map((e) => dep[e]!)
  return {
    n: m,
    ids: Array.from(members, (i) => c.ids[i] as string),
    dur: members.map((i) => c.dur[i]!),
    release,
    deadline: new Float64Array(m).fill(Number.POSITIVE_INFINITY),
    succStart: out.start,
    succ: out.adj,
    succDelta: out.dl,
    succDep: depOf(out.dep),
    predStart: inc.start,
    pred: inc.adj,
    predDelta: inc.dl,
    predDep: depOf(inc.dep),
    hasNegativeDelta: D.some((x) => x < 0),
    resourceIds: c.resourceIds,
    base: c.base,
    profile,
    changeDays: changeDaysOf(c.base, profile),
    demStart,
    demRes: Int32Array.from(demRes),
    demAmt: Float64Array.from(demAmt),
  }
}

/** The GA on one window of `best`; the whole schedule rebuilt from the window's best order, or null. */
function improveWindow(
  c: Compiled,
  dec: Decoder,
  best: Individual,
  from: number,
  size: number,
  rnd: Random,
  deadlineAt: number,
): Individual | null {
  const members = best.list.slice(from, from + size)
  const fixed = new Uint8Array(c.n)
  for (let k = 0; k < from; k++) fixed[best.list[k]!] = 1
  const sub = subproblem(c, best.starts, members, fixed)
  const order = topologicalOrder(sub)
  if (!order) return null
  const forward = earliestStarts(sub, order)
  if (!forward.ok) return null
  const es = forward.es
  let cpEnd = 0
  let current = 0
  for (let k = 0; k < sub.n; k++) {
    cpEnd = Math.max(cpEnd, es[k]! + sub.dur[k]!)
    current = Math.max(current, best.starts[members[k]!]! + sub.dur[k]!)
  }
  const ls = latestStarts(sub, order, cpEnd, false)
  const subDec = new Decoder(sub, new Timeline(sub, current + 16))
  // The window as it is in the best schedule seeds the GA, so the subproblem never starts worse.
  const seeds: Individual[] = []
  const asIs = subDec.decode(Int32Array.from({ length: sub.n }, (_, k) => k))
  if (asIs) seeds.push(asIs)
  for (const rule of PRIORITY_RULES) {
    const x = subDec.decode(sampleList(sub, priorityValues(sub, rule, es, ls), null))
    if (x) seeds.push(x)
  }
  if (seeds.length === 0) return null
  const { best: subBest } = geneticSearch(
    sub,
    subDec,
    es,
    ls,
    rnd,
    { maxSchedules: SUB_SCHEDULES, deadlineAt, target: cpEnd },
    seeds,
  )
  // Sub-schedules are counted in whole-project schedules by their share of the tasks.
  dec.schedules += Math.ceil((subDec.schedules * sub.n) / c.n)
  const list = new Int32Array(c.n)
  list.set(best.list.subarray(0, from))
  for (let k = 0; k < sub.n; k++) list[from + k] = members[subBest.list[k]!]!
  list.set(best.list.subarray(from + size), from + size)
  return dec.decode(list)
}

/** Windows of a start-sorted list are closed under predecessors only without negative deltas. */
export function decomposable(c: Compiled): boolean {
  return !c.hasNegativeDelta && c.n >= 2 * MIN_TASKS
}

/**
 * Rounds of window improvement on the best schedule until the budget ends or the target is met. Needs a list
 * sorted by start whose every prefix is closed under predecessors, so not with negative deltas.
 */
export function decompositionSearch(
  c: Compiled,
  dec: Decoder,
  start: Individual,
  rnd: Random,
  budget: DecompositionBudget,
): { best: Individual; rounds: number; improvements: number } {
  let best = start
  let rounds = 0
  let improvements = 0
  if (!decomposable(c)) return { best, rounds, improvements }
  while (
    best.makespan > budget.target &&
    dec.schedules < budget.maxSchedules &&
    performance.now() < budget.deadlineAt
  ) {
    rounds++
    const share = MIN_SHARE + (MAX_SHARE - MIN_SHARE) * rnd.next()
    const size = Math.max(MIN_TASKS, Math.min(c.n, Math.round(c.n * share)))
    const from = rnd.int(c.n - size + 1)
    const x = improveWindow(c, dec, best, from, size, rnd, budget.deadlineAt)
    if (x && x.makespan <= best.makespan) {
      if (x.makespan < best.makespan) improvements++
      best = x
    }
  }
  return { best, rounds, improvements }
}
