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
 * Scratch arrays for the justification, allocated once per search: the orders it needs come from a stable
 * counting sort on days, O(n + makespan) instead of a comparison sort.
 */
export class Justifier {
  readonly order: Int32Array
  private readonly key: Int32Array
  private readonly up: Int32Array
  private readonly down: Int32Array
  private count = new Int32Array(64)

  constructor(n: number) {
    this.order = new Int32Array(n)
    this.key = new Int32Array(n)
    this.up = Int32Array.from({ length: n }, (_, i) => i)
    this.down = Int32Array.from({ length: n }, (_, i) => n - 1 - i)
  }

  /** `out` = `items` sorted by `key[item]` ascending (whole numbers >= 0), ties kept in the order of `items`. */
  sortBy(out: Int32Array, items: Int32Array, key: Int32Array): void {
    const n = items.length
    let max = 0
    for (let k = 0; k < n; k++) if (key[items[k]!]! > max) max = key[items[k]!]!
    if (this.count.length < max + 2) this.count = new Int32Array(2 * max + 2)
    const count = this.count
    count.fill(0, 0, max + 2)
    for (let k = 0; k < n; k++) count[key[items[k]!]! + 1]!++
    for (let v = 0; v <= max; v++) count[v + 1]! += count[v]!
    for (let k = 0; k < n; k++) {
      const i = items[k]!
      out[count[key[i]!]!++] = i
    }
  }

  /** Tasks by latest finish first (ties: higher index first), into this.order. */
  byFinishDescending(c: Compiled, starts: Int32Array, makespan: number): void {
    for (let i = 0; i < c.n; i++) this.key[i] = makespan - starts[i]! - c.dur[i]!
    this.sortBy(this.order, this.down, this.key)
  }

  /** Tasks by earliest start first (ties: lower index first), into this.order. */
  byStart(starts: Int32Array): void {
    this.sortBy(this.order, this.up, starts)
  }
}

/**
 * Double justification (Valls, Ballestín & Quintanilla 2005): shift every task as late as it can go
 * (latest finish first) without passing the makespan, then as early as it can go (earliest start first).
 * Each move keeps the schedule feasible and the second pass never lengthens it. Needs all tasks placed on `tl`.
 */
export function justify(c: Compiled, tl: Timeline, starts: Int32Array, js: Justifier): number {
  const n = c.n
  const makespan = makespanOf(c, starts)
  js.byFinishDescending(c, starts, makespan)
  const byKey = js.order
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
  leftPass(c, tl, starts, js)
  return makespanOf(c, starts)
}

/** One pass shifting every task to its earliest feasible day, earliest start first. True if one moved. */
function leftPass(c: Compiled, tl: Timeline, starts: Int32Array, js: Justifier): boolean {
  const n = c.n
  js.byStart(starts)
  const byKey = js.order
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
 * freed room for). Afterwards each task starts at its precedence bound or on the day after one it could not
 * fit on, which the explanations rely on. The number of passes is not bounded by the number of tasks: with
 * negative lags (or a task that starts before its predecessor) one pass can free a task by a single day, which
 * frees its neighbour by one in the next pass, and so on. It ends because every moving pass lowers the sum of
 * the starts, which precedence bounds from below.
 */
export function leftJustify(c: Compiled, tl: Timeline, starts: Int32Array, js: Justifier): void {
  while (leftPass(c, tl, starts, js));
}
