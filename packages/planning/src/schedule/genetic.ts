import type { Random } from '../random.js'
import type { Compiled } from './compiled.js'
import { PRIORITY_RULES, priorityValues, sampleList } from './priority.js'
import { Justifier, justify, makespanOf, parallelSgs, serialSgs } from './sgs.js'
import type { Timeline } from './timeline.js'

/**
 * Genetic algorithm on activity lists (Hartmann 1998): precedence-feasible permutations decoded by the serial
 * SGS, two-point crossover that keeps lists precedence-feasible, for half the pairings the peak crossover of
 * Valls et al. (2008) instead, swap mutation of neighbours that are not
 * related, ranking survival of parents and children. Every decoded schedule is double-justified (Valls,
 * Ballestín & Quintanilla 2005) and its list re-sorted by start times, so good schedules breed on (Valls et
 * al. 2008, the hybrid GA). The initial population mixes the classical priority rules, regret-based biased
 * random sampling around them and parallel-SGS schedules. A stalled population restarts around the best.
 */

export interface SearchBudget {
  /** Stop after this many schedule generation passes (each decode and each justification pass counts). */
  maxSchedules: number
  /** Stop at this time (performance.now() value). */
  deadlineAt: number
  /** Stop as soon as a schedule reaches this makespan (a lower bound). */
  target: number
}

export interface Individual {
  list: Int32Array
  starts: Int32Array
  makespan: number
}

export interface GaStats {
  schedules: number
  generations: number
  restarts: number
  stoppedBy: 'lower_bound' | 'schedules' | 'time'
}

/** Whether a search must stop (and why, in `stats`): its best reached the lower bound, or the budget is spent. */
export function searchDone(
  stats: GaStats,
  schedules: number,
  bestMakespan: number,
  budget: SearchBudget,
): boolean {
  stats.schedules = schedules
  if (bestMakespan <= budget.target) {
    stats.stoppedBy = 'lower_bound'
    return true
  }
  if (schedules >= budget.maxSchedules) {
    stats.stoppedBy = 'schedules'
    return true
  }
  if (performance.now() >= budget.deadlineAt) {
    stats.stoppedBy = 'time'
    return true
  }
  return false
}

export class Decoder {
  schedules = 0
  private readonly js: Justifier
  constructor(
    private readonly c: Compiled,
    private readonly tl: Timeline,
  ) {
    this.js = new Justifier(c.n)
  }

  /** Serial SGS plus double justification; the list returned is the schedule's tasks by start day. */
  decode(list: Int32Array): Individual | null {
    const c = this.c
    const starts = new Int32Array(c.n)
    this.schedules += 3
    if (!serialSgs(c, list, this.tl, starts)) return null
    const makespan = justify(c, this.tl, starts, this.js)
    return { list: sortedByStart(c, list, starts, this.js), starts, makespan }
  }

  decodeParallel(priority: Float64Array): Individual | null {
    const c = this.c
    const starts = new Int32Array(c.n)
    this.schedules += 3
    const order = parallelSgs(c, (i) => priority[i]!, this.tl, starts)
    if (!order) return null
    const makespan = justify(c, this.tl, starts, this.js)
    return { list: sortedByStart(c, order, starts, this.js), starts, makespan }
  }
}

/**
 * The tasks by start day, ties in list order, as a precedence-feasible list. Plain sorting suffices unless
 * a negative lag let a successor start before its predecessor; then predecessors are pulled forward (Kahn's
 * algorithm taking the earliest-starting ready task).
 */
function sortedByStart(c: Compiled, list: Int32Array, starts: Int32Array, js: Justifier): Int32Array {
  const n = list.length
  if (!c.hasNegativeDelta) {
    const sorted = new Int32Array(n)
    js.sortBy(sorted, list, starts)
    return sorted
  }
  const pos = new Int32Array(n)
  for (let k = 0; k < n; k++) pos[list[k]!] = k
  const key = (i: number) => starts[i]! * n + pos[i]!
  const missing = new Int32Array(n)
  for (let i = 0; i < n; i++) missing[i] = c.predStart[i + 1]! - c.predStart[i]!
  const heap: number[] = []
  const push = (i: number) => {
    heap.push(i)
    for (let h = heap.length - 1; h > 0; ) {
      const up = (h - 1) >> 1
      if (key(heap[up]!) <= key(heap[h]!)) break
      ;[heap[up], heap[h]] = [heap[h]!, heap[up]!]
      h = up
    }
  }
  const pop = () => {
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length > 0) {
      heap[0] = last
      for (let h = 0; ; ) {
        const l = 2 * h + 1
        const r = l + 1
        let m = h
        if (l < heap.length && key(heap[l]!) < key(heap[m]!)) m = l
        if (r < heap.length && key(heap[r]!) < key(heap[m]!)) m = r
        if (m === h) break
        ;[heap[m], heap[h]] = [heap[h]!, heap[m]!]
        h = m
      }
    }
    return top
  }
  for (let i = 0; i < n; i++) if (missing[i] === 0) push(i)
  const out = new Int32Array(n)
  for (let k = 0; k < n; k++) {
    const i = pop()
    out[k] = i
    for (let e = c.succStart[i]!; e < c.succStart[i + 1]!; e++)
      if (--missing[c.succ[e]!]! === 0) push(c.succ[e]!)
  }
  return out
}

/** Which tasks a crossover has taken: `taken[i] === stamp`, a new stamp per child instead of a new array. */
let taken = new Int32Array(0)
let stamp = 0

export function crossover(mother: Int32Array, father: Int32Array, q1: number, q2: number): Int32Array {
  const n = mother.length
  const child = new Int32Array(n)
  if (taken.length < n || stamp === 0x7fffffff) {
    taken = new Int32Array(Math.max(n, taken.length))
    stamp = 0
  }
  const used = taken
  const mark = ++stamp
  let k = 0
  for (; k < q1; k++) {
    child[k] = mother[k]!
    used[mother[k]!] = mark
  }
  for (let p = 0; k < q2 && p < n; p++) {
    const a = father[p]!
    if (used[a] !== mark) {
      child[k++] = a
      used[a] = mark
    }
  }
  for (let p = 0; k < n && p < n; p++) {
    const a = mother[p]!
    if (used[a] !== mark) {
      child[k++] = a
      used[a] = mark
    }
  }
  return child
}

/**
 * Peak crossover (Valls, Ballestín & Quintanilla 2008): the child keeps the mother's most densely packed
 * stretch of days, [t1, t2), as she scheduled it. The tasks she starts before t1 come first in the father's
 * order, then those she starts in the peak in her order (her list is sorted by start), then the rest in the
 * father's order. Each part is closed under predecessors of the earlier parts, so the list is
 * precedence-feasible whenever no lag lets a successor start before its predecessor.
 */
export class PeakCrossover {
  private readonly load: Float64Array
  private readonly part: Uint8Array
  /** Each task's share of capacity per day, summed over its resources. */
  private readonly use: Float64Array
  constructor(
    private readonly c: Compiled,
    horizon: number,
  ) {
    this.load = new Float64Array(horizon + 1)
    this.part = new Uint8Array(c.n)
    this.use = new Float64Array(c.n)
    for (let i = 0; i < c.n; i++)
      for (let e = c.demStart[i]!; e < c.demStart[i + 1]!; e++)
        this.use[i]! += c.demAmt[e]! / c.base[c.demRes[e]!]!
  }

  /** The start of the window of `len` days with the highest resource utilisation of the mother. */
  private peak(mother: Individual, len: number): number {
    const c = this.c
    const T = mother.makespan
    const load = T + 1 <= this.load.length ? this.load : new Float64Array(T + 1)
    load.fill(0, 0, T + 1)
    for (let i = 0; i < c.n; i++) {
      const d = c.dur[i]!
      if (d === 0) continue
      const u = this.use[i]!
      const s = mother.starts[i]!
      load[s]! += u
      load[s + d]! -= u
    }
    // Running sum gives the utilisation per day; a sliding window finds the densest stretch.
    let run = 0
    for (let t = 0; t < T; t++) {
      run += load[t]!
      load[t] = run
    }
    let win = 0
    for (let t = 0; t < len; t++) win += load[t]!
    let best = win
    let at = 0
    for (let t = len; t < T; t++) {
      win += load[t]! - load[t - len]!
      if (win > best) {
        best = win
        at = t - len + 1
      }
    }
    return at
  }

  cross(mother: Individual, father: Individual, rnd: Random): Int32Array {
    const c = this.c
    const n = c.n
    const T = mother.makespan
    const len = Math.max(1, Math.min(T, Math.round(T * (0.1 + 0.4 * rnd.next()))))
    const t1 = this.peak(mother, len)
    const t2 = t1 + len
    const part = this.part
    for (let i = 0; i < n; i++) {
      const s = mother.starts[i]!
      part[i] = s < t1 ? 0 : s < t2 ? 1 : 2
    }
    const child = new Int32Array(n)
    let k = 0
    for (let p = 0; p < n; p++) if (part[father.list[p]!] === 0) child[k++] = father.list[p]!
    for (let p = 0; p < n; p++) if (part[mother.list[p]!] === 1) child[k++] = mother.list[p]!
    for (let p = 0; p < n; p++) if (part[father.list[p]!] === 2) child[k++] = father.list[p]!
    return child
  }
}

function isPredecessor(c: Compiled, a: number, b: number): boolean {
  for (let e = c.predStart[b]!; e < c.predStart[b + 1]!; e++) if (c.pred[e] === a) return true
  return false
}

/**
 * Swaps each pair of neighbours with chance `rate` unless the first precedes the second. The pairs hit are
 * drawn by geometric skips (one random number per swap, not one per pair: the same distribution, and on
 * 120 tasks a tenth of the draws that cost the GA as much as a few percent of its time).
 */
export function mutate(c: Compiled, list: Int32Array, rate: number, rnd: Random): void {
  if (rate <= 0) return
  const skip = rate >= 1 ? () => 0 : () => Math.floor(Math.log(1 - rnd.next()) / Math.log(1 - rate))
  for (let k = skip(); k + 1 < list.length; k += 1 + skip()) {
    const a = list[k]!
    const b = list[k + 1]!
    if (!isPredecessor(c, a, b)) {
      list[k] = b
      list[k + 1] = a
    }
  }
}

/** Share of the pairings that use the peak crossover (the others the two-point one). */
const PEAK_SHARE = 0.5

export function hashStarts(starts: Int32Array): number {
  let h = 2166136261
  for (let i = 0; i < starts.length; i++) h = Math.imul(h ^ starts[i]!, 16777619)
  return h >>> 0
}

export function geneticSearch(
  c: Compiled,
  dec: Decoder,
  es: Int32Array,
  ls: Int32Array,
  rnd: Random,
  budget: SearchBudget,
  seeds: Individual[],
): { best: Individual; stats: GaStats } {
  // About one individual per task on large projects: at 50,000 schedules, 122 instead of 52 on the generated
  // j120 projects left 40 unsolved ones 24 instead of 33 days (two seeds) above their best known makespans.
  const size = Math.max(20, Math.min(200, Math.round(Math.max(2 * Math.sqrt(c.n) + 30, c.n))))
  const rules = PRIORITY_RULES.map((r) => priorityValues(c, r, es, ls))
  const stats: GaStats = { schedules: 0, generations: 0, restarts: 0, stoppedBy: 'schedules' }
  let best = seeds.reduce((a, b) => (b.makespan < a.makespan ? b : a))
  const done = () => searchDone(stats, dec.schedules, best.makespan, budget)
  const keep = (x: Individual | null, into: Individual[]) => {
    if (!x) return
    into.push(x)
    if (x.makespan < best.makespan) best = x
  }
  const fresh = (count: number, into: Individual[]) => {
    for (let q = 0; q < count && !done(); q++) {
      const rule = rules[q % rules.length]!
      // Mostly biased sampling around a rule, some uniform random lists for diversity.
      const alpha = q % 5 === 4 ? 0 : 1 + rnd.int(3)
      keep(dec.decode(sampleList(c, rule, rnd, alpha)), into)
    }
  }
  const peak = c.hasNegativeDelta ? null : new PeakCrossover(c, best.makespan)
  let pop: Individual[] = [...seeds]
  fresh(size - pop.length, pop)
  let stall = 0
  const stallLimit = 30
  while (!done()) {
    stats.generations++
    const before = best.makespan
    const children: Individual[] = []
    const order = pop.map((_, q) => q)
    for (let q = order.length - 1; q > 0; q--) {
      const r = rnd.int(q + 1)
      ;[order[q], order[r]] = [order[r]!, order[q]!]
    }
    for (let q = 0; q + 1 < order.length && !done(); q += 2) {
      const mother = pop[order[q]!]!.list
      const father = pop[order[q + 1]!]!.list
      let q1 = rnd.int(c.n + 1)
      let q2 = rnd.int(c.n + 1)
      if (q1 > q2) [q1, q2] = [q2, q1]
      const usePeak = peak !== null && rnd.next() < PEAK_SHARE
      const daughter = usePeak
        ? peak.cross(pop[order[q]!]!, pop[order[q + 1]!]!, rnd)
        : crossover(mother, father, q1, q2)
      const son = usePeak
        ? peak.cross(pop[order[q + 1]!]!, pop[order[q]!]!, rnd)
        : crossover(father, mother, q1, q2)
      mutate(c, daughter, 0.05, rnd)
      mutate(c, son, 0.05, rnd)
      keep(dec.decode(daughter), children)
      keep(dec.decode(son), children)
    }
    // Ranking survival over parents and children, one copy of each distinct schedule.
    const all = [...pop, ...children].sort((a, b) => a.makespan - b.makespan)
    const seen = new Set<number>()
    const next: Individual[] = []
    for (const x of all) {
      const h = hashStarts(x.starts)
      if (seen.has(h)) continue
      seen.add(h)
      next.push(x)
      if (next.length >= size) break
    }
    pop = next
    if (best.makespan < before) stall = 0
    else if (++stall >= stallLimit) {
      stall = 0
      stats.restarts++
      pop = [best]
      fresh(size - 1, pop)
    }
    if (pop.length < size) fresh(size - pop.length, pop)
  }
  stats.schedules = dec.schedules
  return { best, stats }
}

export { makespanOf }
