import type { Compiled } from './compiled.js'
import type { Timeline } from './timeline.js'

/**
 * Schedule generation schemes (Kelley 1963; Kolisch 1996). Both place every task at a day where precedence
 * and capacity hold in every period, so whatever list or priority they get, the schedule is feasible.
 */

/** The earliest start precedence allows, given the placed predecessors. */
export function precedenceStart(c: Compiled, i: number, starts: Int32Array): number {
  let t = c.release[i]!
  for (let e = c.predStart[i]!; e < c.predStart[i + 1]!; e++) {
    const v = starts[c.pred[e]!]! + c.predDelta[e]!
    if (v > t) t = v
  }
  return t
}

export function makespanOf(c: Compiled, starts: Int32Array): number {
  let m = 0
  for (let i = 0; i < c.n; i++) m = Math.max(m, starts[i]! + c.dur[i]!)
  return m
}

/**
 * Serial SGS: tasks in list order (every predecessor before its successors), each at its earliest
 * precedence- and resource-feasible day. Leaves them placed on `tl`. Null when a demand can never be met.
 */
export function serialSgs(c: Compiled, list: Int32Array, tl: Timeline, starts: Int32Array): boolean {
  tl.reset()
  for (let k = 0; k < c.n; k++) {
    const i = list[k]!
    const t = tl.earliestFit(i, precedenceStart(c, i, starts))
    if (t < 0) return false
    tl.place(i, t)
    starts[i] = t
  }
  return true
}

/**
 * Parallel SGS: walks the days; at each decision day starts, in priority order (smaller first), every task
 * whose predecessors are placed, whose precedence start has come and which fits. Gives non-delay schedules.
 * Returns the order in which tasks were started (an activity list), or null when a demand can never be met.
 */
export function parallelSgs(
  c: Compiled,
  priority: (i: number) => number,
  tl: Timeline,
  starts: Int32Array,
): Int32Array | null {
  tl.reset()
  const n = c.n
  const missing = new Int32Array(n)
  for (let i = 0; i < n; i++) missing[i] = c.predStart[i + 1]! - c.predStart[i]!
  const placed = new Uint8Array(n)
  let eligible: number[] = []
  for (let i = 0; i < n; i++) if (missing[i] === 0) eligible.push(i)
  const order = new Int32Array(n)
  let count = 0
  const finishes: number[] = []
  let t = 0
  while (count < n) {
    eligible.sort((a, b) => priority(a) - priority(b) || a - b)
    const next: number[] = []
    const newly: number[] = []
    for (const i of eligible) {
      if (precedenceStart(c, i, starts) <= t && tl.fits(i, t)) {
        tl.place(i, t)
        starts[i] = t
        placed[i] = 1
        order[count++] = i
        if (c.dur[i]! > 0) finishes.push(t + c.dur[i]!)
        for (let e = c.succStart[i]!; e < c.succStart[i + 1]!; e++) {
          const j = c.succ[e]!
          if (--missing[j]! === 0) newly.push(j)
        }
      } else next.push(i)
    }
    eligible = next
    if (newly.length > 0) {
      // Successors of a task just started may start the same day (zero or negative lags).
      eligible.push(...newly)
      continue
    }
    if (count === n) break
    let nt = Number.POSITIVE_INFINITY
    for (const f of finishes) if (f > t && f < nt) nt = f
    for (const i of eligible) {
      const es = precedenceStart(c, i, starts)
      if (es > t && es < nt) nt = es
    }
    nt = capacityChangeAfter(c, t, nt)
    if (!Number.isFinite(nt)) return null
    t = nt
  }
  return order
}

/** The first day in (t, limit) on which some resource's capacity changes, else limit. */
function capacityChangeAfter(c: Compiled, t: number, limit: number): number {
  const days = c.changeDays
  let lo = 0
  let hi = days.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (days[mid]! <= t) lo = mid + 1
    else hi = mid
  }
  return lo < days.length ? Math.min(days[lo]!, limit) : limit
}

/**
 * Double justification (Valls, Ballestín & Quintanilla 2005): shift every task as late as it can go
 * (latest finish first) without passing the makespan, then as early as it can go (earliest start first).
 * Each move keeps the schedule feasible and the second pass never lengthens it. Needs all tasks placed on `tl`.
 */
export function justify(c: Compiled, tl: Timeline, starts: Int32Array, byKey: Int32Array): number {
  const n = c.n
  const makespan = makespanOf(c, starts)
  // Latest finish first (ties: higher index first), by sorting packed keys natively.
  const keys = new Float64Array(n)
  for (let i = 0; i < n; i++) keys[i] = (makespan - starts[i]! - c.dur[i]!) * (n + 1) + (n - i)
  sortPacked(byKey, keys, n, (r) => n - r)
  for (let k = 0; k < n; k++) {
    const i = byKey[k]!
    let ub = makespan - c.dur[i]!
    for (let e = c.succStart[i]!; e < c.succStart[i + 1]!; e++) {
      const v = starts[c.succ[e]!]! - c.succDelta[e]!
      if (v < ub) ub = v
    }
    const s = starts[i]!
    if (ub <= s) continue
    tl.remove(i, s)
    const t = tl.latestFit(i, s, ub)
    tl.place(i, t)
    starts[i] = t
  }
  leftPass(c, tl, starts, byKey, keys)
  return makespanOf(c, starts)
}

/** One pass shifting every task to its earliest feasible day, earliest start first. True if one moved. */
function leftPass(
  c: Compiled,
  tl: Timeline,
  starts: Int32Array,
  byKey: Int32Array,
  keys: Float64Array,
): boolean {
  const n = c.n
  for (let i = 0; i < n; i++) keys[i] = starts[i]! * (n + 1) + i
  sortPacked(byKey, keys, n, (r) => r)
  let moved = false
  for (let k = 0; k < n; k++) {
    const i = byKey[k]!
    const lb = precedenceStart(c, i, starts)
    const s = starts[i]!
    if (lb >= s) continue
    tl.remove(i, s)
    const t = tl.earliestFit(i, lb)
    tl.place(i, t)
    starts[i] = t
    if (t < s) moved = true
  }
  return moved
}

/**
 * Left passes until nothing moves (the justification's single pass can leave a task that a later move
 * freed room for). Afterwards each task
 * starts at its precedence bound or on the day after one it could not fit on, which the explanations rely on.
 */
export function leftJustify(
  c: Compiled,
  tl: Timeline,
  starts: Int32Array,
  byKey: Int32Array,
  keys: Float64Array,
): void {
  for (let pass = 0; pass < c.n && leftPass(c, tl, starts, byKey, keys); pass++);
}

/** Sorts keys of the form major * (n + 1) + residue natively and decodes each residue to a task. */
function sortPacked(idx: Int32Array, keys: Float64Array, n: number, task: (residue: number) => number): void {
  keys.sort()
  for (let k = 0; k < idx.length; k++) idx[k] = task(keys[k]! % (n + 1))
}
