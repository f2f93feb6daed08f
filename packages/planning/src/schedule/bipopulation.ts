import type { Random } from '../random.js'
import type { Compiled } from './compiled.js'
import { FlatSgs } from './flat-sgs.js'
import {
  crossover,
  type Decoder,
  type GaStats,
  hashStarts,
  type Individual,
  mutate,
  PeakCrossover,
  type SearchBudget,
  searchDone,
} from './genetic.js'
import { mirrorStarts } from './mirror.js'
import { PRIORITY_RULES, priorityValues, sampleList } from './priority.js'
import { Justifier } from './sgs.js'
import { topologicalOrder } from './temporal.js'

/**
 * Bi-population genetic algorithm (Debels & Vanhoucke 2005, "A bi-population based genetic algorithm for the
 * resource-constrained project scheduling problem", ICCSA, LNCS 3483; the search inside their
 * decomposition-based GA, Operations Research 55, 2007). One population holds left-justified schedules, the
 * other right-justified ones, both as start times. A child of two left-justified parents is built by a
 * backward serial SGS pass in the order of their crossed-over finish times and joins the right-justified
 * population; a child of two right-justified parents is built forward in the order of their start times and
 * joins the left-justified one. Each child's justification back into its parents' direction (one more pass,
 * the second half of a forward-backward improvement) joins the parents' population as well: two passes per
 * child and two members, where the hybrid GA spends three passes (decode plus double justification) on one.
 * Without those twins the search ended 0.59% instead of 0.43% above the best known makespans on 8 unsolved
 * generated j120 projects at 50,000 schedules; twinning only the better half of the children, 0.58%.
 *
 * The backward pass is a forward pass on the mirrored project (`mirror.ts`), so both populations live in
 * "forward" coordinates of their own network and every operator works on either. Half the pairings use the
 * peak crossover (the child keeps one parent's densest stretch of days, the rest in the other's order),
 * the others the two-point crossover on the start-time orders; swap mutation of unrelated neighbours;
 * ranking survival in each population; a stalled search restarts around its best schedules.
 */

/** Both directions of the project: its network, a timeline to place on, a topological order for ties. */
interface Side {
  c: Compiled
  sgs: FlatSgs
  topo: Int32Array
  js: Justifier
}

interface Member {
  starts: Int32Array
  makespan: number
  hash: number
  /** The member seen from the other side, kept because a survivor is a parent generation after generation. */
  seen?: Individual
}

/** Share of the pairings that use the peak crossover (the others the two-point one). */
const PEAK_SHARE = 0.5
/**
 * Chance of swapping each pair of unrelated neighbours. Higher than the hybrid GA's 0.05: a child here is not
 * double-justified, and at 50,000 schedules on the 40 unsolved generated j120 projects 0.15 ended 0.36%
 * above the best known makespans on average (two seeds) where 0.05 ended 0.46% and 0.25 0.48%.
 */
const MUTATION = 0.15
/**
 * Generations without a better makespan before the populations restart around their best (30: 0.36%, 60:
 * 0.35%, 15: 0.63% in the same measure).
 */
const STALL_LIMIT = 50

export function bipopulationSearch(
  c: Compiled,
  mirror: Compiled,
  dec: Decoder,
  es: Int32Array,
  ls: Int32Array,
  rnd: Random,
  budget: SearchBudget,
  seeds: Individual[],
): { best: Individual; stats: GaStats } {
  const n = c.n
  const horizon = Math.max(...seeds.map((x) => x.makespan)) + 1
  const side = (cc: Compiled): Side => ({
    c: cc,
    sgs: new FlatSgs(cc),
    topo: topologicalOrder(cc) as Int32Array,
    js: new Justifier(n),
  })
  const fwd = side(c)
  const bwd = side(mirror)
  // Each population as large as the hybrid GA's one (half that size ended 0.98% instead of 0.43% above the
  // best known makespans on 8 of the hard generated j120 projects at 50,000 schedules).
  const size = Math.max(20, Math.min(200, Math.round(Math.max(2 * Math.sqrt(c.n) + 30, c.n))))
  const rules = PRIORITY_RULES.map((r) => priorityValues(c, r, es, ls))
  const stats: GaStats = { schedules: 0, generations: 0, restarts: 0, stoppedBy: 'schedules' }
  const first = seeds.reduce((a, b) => (b.makespan < a.makespan ? b : a))
  let best: Member = { starts: first.starts, makespan: first.makespan, hash: hashStarts(first.starts) }
  let bestSide = fwd
  const done = () => searchDone(stats, dec.schedules, best.makespan, budget)
  /** One serial SGS pass on one side. */
  const build = (s: Side, list: Int32Array): Member | null => {
    const starts = new Int32Array(n)
    dec.schedules++
    const makespan = s.sgs.run(list, starts)
    const m = { starts, makespan, hash: hashStarts(starts) }
    if (makespan < best.makespan) {
      best = m
      bestSide = s
    }
    return m
  }
  /** A member seen from the other side `to`: its mirrored start times and the tasks in that order. */
  const view = (m: Member, to: Side): Individual => {
    if (m.seen) return m.seen
    const starts = mirrorStarts(c, m.starts, m.makespan, new Int32Array(n))
    const list = new Int32Array(n)
    to.js.sortBy(list, to.topo, starts)
    m.seen = { list, starts, makespan: m.makespan }
    return m.seen
  }
  /** A left-justified member's right-justified twin, or the other way round. */
  const twin = (m: Member, to: Side) => build(to, view(m, to).list)
  const fresh = (count: number, left: Member[], right: Member[]) => {
    for (let q = 0; q < count && !done(); q++) {
      const rule = rules[q % rules.length]!
      // Mostly biased sampling around a rule, some uniform random lists for diversity.
      const alpha = q % 5 === 4 ? 0 : 1 + rnd.int(3)
      const m = build(fwd, sampleList(c, rule, rnd, alpha))
      if (!m) continue
      left.push(m)
      const r = twin(m, bwd)
      if (r) right.push(r)
    }
  }
  const peak = new PeakCrossover(c, horizon)
  const breed = (parents: Member[], to: Side, into: Member[], back: Side, intoBack: Member[]) => {
    const order = parents.map((_, q) => q)
    for (let q = order.length - 1; q > 0; q--) {
      const r = rnd.int(q + 1)
      ;[order[q], order[r]] = [order[r]!, order[q]!]
    }
    for (let q = 0; q + 1 < order.length && !done(); q += 2) {
      const mother = view(parents[order[q]!]!, to)
      const father = view(parents[order[q + 1]!]!, to)
      let daughter: Int32Array
      let son: Int32Array
      if (rnd.next() < PEAK_SHARE) {
        daughter = peak.cross(mother, father, rnd)
        son = peak.cross(father, mother, rnd)
      } else {
        let q1 = rnd.int(n + 1)
        let q2 = rnd.int(n + 1)
        if (q1 > q2) [q1, q2] = [q2, q1]
        daughter = crossover(mother.list, father.list, q1, q2)
        son = crossover(father.list, mother.list, q1, q2)
      }
      mutate(to.c, daughter, MUTATION, rnd)
      mutate(to.c, son, MUTATION, rnd)
      for (const child of [daughter, son]) {
        const m = build(to, child)
        if (!m) continue
        into.push(m)
        if (done()) continue
        const b = twin(m, back)
        if (b) intoBack.push(b)
      }
    }
  }
  let left: Member[] = seeds.map((x) => ({
    starts: x.starts,
    makespan: x.makespan,
    hash: hashStarts(x.starts),
  }))
  let right: Member[] = []
  for (const m of left) {
    if (done()) break
    const r = twin(m, bwd)
    if (r) right.push(r)
  }
  fresh(size - left.length, left, right)
  let stall = 0
  while (!done()) {
    stats.generations++
    const before = best.makespan
    const toRight: Member[] = []
    const toLeft: Member[] = []
    breed(left, bwd, toRight, fwd, toLeft)
    breed(right, fwd, toLeft, bwd, toRight)
    left = survive(left, toLeft, size)
    right = survive(right, toRight, size)
    if (best.makespan < before) stall = 0
    else if (++stall >= STALL_LIMIT) {
      stall = 0
      stats.restarts++
      left = left.slice(0, 1)
      right = right.slice(0, 1)
      fresh(size - 1, left, right)
    }
  }
  stats.schedules = dec.schedules
  const starts =
    bestSide === fwd ? best.starts : mirrorStarts(c, best.starts, best.makespan, new Int32Array(n))
  const list = new Int32Array(n)
  fwd.js.sortBy(list, fwd.topo, starts)
  return { best: { list, starts, makespan: best.makespan }, stats }
}

/**
 * Ranking survival: the `size` shortest distinct schedules of the population and its children. Ties go to
 * the children, so the populations drift across plateaus of equal makespan instead of keeping the parents
 * that reached them first: on the 40 hard generated j120 projects (no MIP) the sum of the gaps to the best
 * known makespans fell from 57.0% to 40.4% at 40,000 schedules (seeds 5-7) and from 58.5% to 30.8% at
 * 25,000 (seeds 3-4).
 */
function survive(pop: Member[], children: Member[], size: number): Member[] {
  const all = [...children, ...pop].sort((a, b) => a.makespan - b.makespan)
  const seen = new Set<number>()
  const next: Member[] = []
  for (const x of all) {
    if (seen.has(x.hash)) continue
    seen.add(x.hash)
    next.push(x)
    if (next.length >= size) break
  }
  return next
}
