import { type Compiled, capacityAt, maxCapacity } from './compiled.js'

/**
 * Lower bounds on the makespan of any feasible schedule, from heads (earliest starts) and tails (longest path
 * from a task's finish to the project end), both resource-free:
 * - criticalPath: LB0, the longest path (Stinson, Davis & Khumawala 1978).
 * - resource: for each resource and each head threshold h (and symmetrically each tail threshold), the tasks
 *   with head >= h need their whole energy d·r after h, so the makespan is at least h plus the days needed
 *   to supply that energy plus their smallest tail (an energetic bound in the spirit of LB2, Brucker & Knust).
 * - disjunctive: tasks that pairwise cannot overlap (demands adding up above a capacity) run one at a time;
 *   the preemptive one-machine bound on them with heads and tails (Jackson's preemptive schedule, Carlier
 *   1982), the "critical path plus disjunctions" family of Klein & Scholl (1999).
 */
export interface LowerBounds {
  criticalPath: number
  resource: number
  disjunctive: number
  best: number
}

export function lowerBounds(c: Compiled, heads: Int32Array, tails: Int32Array): LowerBounds {
  let cp = 0
  for (let i = 0; i < c.n; i++) cp = Math.max(cp, heads[i]! + c.dur[i]! + tails[i]!)
  let resource = 0
  let disjunctive = 0
  const K = c.base.length
  for (let k = 0; k < K; k++) {
    resource = Math.max(resource, energyBound(c, k, heads, tails))
    disjunctive = Math.max(disjunctive, jacksonBound(c, incompatibleSet(c, k), heads, tails))
  }
  return { criticalPath: cp, resource, disjunctive, best: Math.max(cp, resource, disjunctive) }
}

function demandOf(c: Compiled, i: number, k: number): number {
  for (let e = c.demStart[i]!; e < c.demStart[i + 1]!; e++) if (c.demRes[e] === k) return c.demAmt[e]!
  return 0
}

/** First day T >= from such that capacity over [from, T) supplies `energy`. */
function supplyEnd(c: Compiled, k: number, from: number, energy: number): number {
  if (energy <= 1e-9) return from
  let t = from
  let acc = 0
  const stable = c.profile[k]!.length
  while (t < stable) {
    acc += capacityAt(c, k, t)
    t++
    if (acc >= energy - 1e-9) return t
  }
  const base = c.base[k]!
  if (base <= 0) return Number.POSITIVE_INFINITY
  return t + Math.ceil((energy - acc) / base - 1e-9)
}

function energyBound(c: Compiled, k: number, heads: Int32Array, tails: Int32Array): number {
  const users: number[] = []
  for (let i = 0; i < c.n; i++) if (c.dur[i]! > 0 && demandOf(c, i, k) > 0) users.push(i)
  if (users.length === 0) return 0
  const energy = users.map((i) => c.dur[i]! * demandOf(c, i, k))
  let best = 0
  // Heads descending: a running suffix of tasks with head >= h, their energy and smallest tail.
  const byHead = users.map((_, q) => q).sort((a, b) => heads[users[b]!]! - heads[users[a]!]!)
  let e = 0
  let minTail = Number.POSITIVE_INFINITY
  for (let q = 0; q < byHead.length; q++) {
    const u = byHead[q]!
    const i = users[u]!
    e += energy[u]!
    minTail = Math.min(minTail, tails[i]!)
    const next = byHead[q + 1]
    if (next !== undefined && heads[users[next]!] === heads[i]) continue
    best = Math.max(best, supplyEnd(c, k, heads[i]!, e) + minTail)
  }
  // Tails descending: work that must be done before M - q, counted from the smallest head (constant
  // capacity only, where time can be mirrored).
  if (c.profile[k]!.length === 0 && c.base[k]! > 0) {
    const byTail = users.map((_, q) => q).sort((a, b) => tails[users[b]!]! - tails[users[a]!]!)
    e = 0
    let minHead = Number.POSITIVE_INFINITY
    for (let q = 0; q < byTail.length; q++) {
      const u = byTail[q]!
      const i = users[u]!
      e += energy[u]!
      minHead = Math.min(minHead, heads[i]!)
      const next = byTail[q + 1]
      if (next !== undefined && tails[users[next]!] === tails[i]) continue
      best = Math.max(best, minHead + Math.ceil(e / c.base[k]! - 1e-9) + tails[i]!)
    }
  }
  return best
}

/** Tasks using more than half the most resource k ever has: no two of them overlap. */
function incompatibleSet(c: Compiled, k: number): number[] {
  const cap = maxCapacity(c, k)
  const out: number[] = []
  for (let i = 0; i < c.n; i++) if (c.dur[i]! > 0 && demandOf(c, i, k) > cap / 2 + 1e-9) out.push(i)
  return out
}

/** Makespan of Jackson's preemptive schedule (release = head, delivery = tail), a one-machine lower bound. */
function jacksonBound(c: Compiled, tasks: number[], heads: Int32Array, tails: Int32Array): number {
  if (tasks.length === 0) return 0
  const byHead = [...tasks].sort((a, b) => heads[a]! - heads[b]!)
  const left = new Map<number, number>(tasks.map((i) => [i, c.dur[i]!]))
  const ready: number[] = []
  let t = 0
  let q = 0
  let best = 0
  while (q < byHead.length || ready.length > 0) {
    if (ready.length === 0) t = Math.max(t, heads[byHead[q]!]!)
    while (q < byHead.length && heads[byHead[q]!]! <= t) ready.push(byHead[q++]!)
    // Largest tail first; run until it ends or the next release.
    let pick = 0
    for (let r = 1; r < ready.length; r++) if (tails[ready[r]!]! > tails[ready[pick]!]!) pick = r
    const i = ready[pick]!
    const nextRelease = q < byHead.length ? heads[byHead[q]!]! : Number.POSITIVE_INFINITY
    const run = Math.min(left.get(i)!, nextRelease - t)
    t += run
    left.set(i, left.get(i)! - run)
    if (left.get(i) === 0) {
      ready.splice(pick, 1)
      best = Math.max(best, t + tails[i]!)
    }
  }
  return best
}
