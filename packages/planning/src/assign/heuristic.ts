import type { Random } from '../random.js'
import { type Gap, overTargetCost } from './model.js'
import { StepSize } from './step-size.js'

/**
 * GAP heuristic for instances too large to prove: Lagrangian relaxation of the capacity rows (Ross & Soland
 * 1975; Fisher 1981) gives multipliers u (from the LP duals when HiGHS solved the LP, else by subgradient
 * optimisation) and so reduced costs c_ij + u_i·a_ij, which rank each job's candidate agents and start the
 * search from the LP (or Lagrangian) assignment. An iterated local search then shifts single jobs and swaps
 * pairs under a penalty on overloaded capacity that adapts as the search goes (strategic oscillation, as in
 * Díaz & Fernández 2001 and Yagiura, Ibaraki & Glover 2004), perturbing the best
 * solution with random shifts between descents. Keeps the best feasible assignment.
 */
export interface HeuristicResult {
  assignment: Int32Array | null
  cost: number
  /** Best Lagrangian bound met (minimisation form; -Infinity when the subgradient did not run). */
  lagrangianBound: number
  descents: number
}

export interface HeuristicInput {
  deadlineAt: number
  rnd: Random
  /** LP duals of the capacity rows, when known. */
  u?: Float64Array
  /** LP solution x[i * n + j], when known. */
  x?: Float64Array
  /** Stop as soon as a feasible cost reaches this value (a bound). */
  target: number
  /** A feasible assignment to start from. */
  start?: Int32Array
}

const EPS = 1e-9

/** Subgradient optimisation of the capacity-relaxed Lagrangian dual. */
export function subgradient(g: Gap, deadlineAt: number, upper: number, iterations = 300) {
  const { m, n } = g
  const u = new Float64Array(m)
  const best = new Float64Array(m)
  const load = new Float64Array(m)
  const step = new StepSize(2)
  for (let it = 0; it < iterations && performance.now() < deadlineAt; it++) {
    load.fill(0)
    let value = 0
    for (let j = 0; j < n; j++) {
      let bi = -1
      let bv = Number.POSITIVE_INFINITY
      for (let i = 0; i < m; i++) {
        const p = i * n + j
        if (!g.allowed[p]) continue
        const v = g.cost[p]! + u[i]! * g.hours[p]!
        if (v < bv) {
          bv = v
          bi = i
        }
      }
      if (bi < 0) return { u: best, bound: Number.POSITIVE_INFINITY }
      value += bv
      load[bi]! += g.hours[bi * n + j]!
    }
    for (let i = 0; i < m; i++) value -= u[i]! * g.capacity[i]!
    if (step.record(value)) best.set(u)
    let norm = 0
    for (let i = 0; i < m; i++) {
      const s = load[i]! - g.capacity[i]!
      if (u[i]! > 0 || s > 0) norm += s * s
    }
    if (norm < EPS) break
    const target = Number.isFinite(upper) ? upper : Math.abs(value) * 1.05 + 1
    const size = (step.theta * Math.max(target - value, Math.abs(value) * 0.001 + EPS)) / norm
    for (let i = 0; i < m; i++) u[i] = Math.max(0, u[i]! + size * (load[i]! - g.capacity[i]!))
  }
  return { u: best, bound: step.best }
}

export function gapHeuristic(g: Gap, input: HeuristicInput): HeuristicResult {
  const { m, n, cost, hours, capacity, allowed } = g
  const { rnd, deadlineAt } = input
  let lagrangianBound = Number.NEGATIVE_INFINITY
  let u = input.u
  if (!u) {
    const sg = subgradient(
      g,
      Math.min(deadlineAt, performance.now() + (deadlineAt - performance.now()) * 0.15),
      Number.POSITIVE_INFINITY,
    )
    u = sg.u
    lagrangianBound = sg.bound
  }
  // Candidate agents per job by reduced cost.
  const L = Math.min(m, Math.max(8, Math.ceil(Math.sqrt(m) * 2)))
  const cand: Int32Array[] = []
  const reduced = (i: number, j: number) => cost[i * n + j]! + u![i]! * hours[i * n + j]!
  for (let j = 0; j < n; j++) {
    const agents: number[] = []
    for (let i = 0; i < m; i++) if (allowed[i * n + j]) agents.push(i)
    agents.sort((a, b) => reduced(a, j) - reduced(b, j))
    cand.push(Int32Array.from(agents.slice(0, L)))
  }

  const sigma = new Int32Array(n)
  const load = new Float64Array(m)
  const jobsOn: number[][] = Array.from({ length: m }, () => [])
  const pos = new Int32Array(n)
  let total = 0
  const put = (j: number, i: number) => {
    sigma[j] = i
    load[i]! += hours[i * n + j]!
    total += cost[i * n + j]!
    pos[j] = jobsOn[i]!.length
    jobsOn[i]!.push(j)
  }
  const take = (j: number) => {
    const i = sigma[j]!
    load[i]! -= hours[i * n + j]!
    total -= cost[i * n + j]!
    const list = jobsOn[i]!
    const last = list.pop()!
    if (last !== j) {
      list[pos[j]!] = last
      pos[last] = pos[j]!
    }
  }
  const move = (j: number, i: number) => {
    take(j)
    put(j, i)
  }
  const overload = () => {
    let o = 0
    for (let i = 0; i < m; i++) o += Math.max(0, load[i]! - capacity[i]!)
    return o
  }

  // Start: the given assignment, else the LP's largest fraction, else the best reduced cost that fits.
  if (input.start) for (let j = 0; j < n; j++) put(j, input.start[j]!)
  else {
    const order = Array.from({ length: n }, (_, j) => j)
    if (!input.x) {
      const regret = order.map((j) => {
        const c = cand[j]!
        return c.length > 1 ? reduced(c[1]!, j) - reduced(c[0]!, j) : Number.POSITIVE_INFINITY
      })
      order.sort((a, b) => regret[b]! - regret[a]!)
    }
    for (const j of order) {
      let pick = -1
      if (input.x) {
        let bx = -1
        for (let i = 0; i < m; i++) {
          const v = input.x[i * n + j]!
          if (allowed[i * n + j] && v > bx + EPS) {
            bx = v
            pick = i
          }
        }
      } else {
        for (const i of cand[j]!) {
          if (load[i]! + hours[i * n + j]! <= capacity[i]! + EPS) {
            pick = i
            break
          }
        }
      }
      put(j, pick >= 0 ? pick : cand[j]![0]!)
    }
  }

  let meanCost = 0
  let meanHours = 0
  for (let p = 0; p < m * n; p++) {
    meanCost += Math.abs(cost[p]!)
    meanHours += hours[p]!
  }
  const rho0 = meanHours > 0 ? (meanCost / meanHours) * 2 + EPS : 1
  let rho = rho0
  // Penalised load cost: the soft-capacity cost (part of the objective) plus rho per hour over capacity.
  const pen = (i: number, l: number) => {
    const over = l - capacity[i]!
    return overTargetCost(g, i, l) + (over > EPS ? rho * over : 0)
  }
  const objective = () => {
    let o = total
    for (let i = 0; i < m; i++) o += overTargetCost(g, i, load[i]!)
    return o
  }

  // Descent with "don't look" marks: only jobs on agents whose load changed are looked at again, so a
  // descent after a small perturbation costs little even on thousands of jobs.
  const marked = new Uint8Array(n)
  const queue: number[] = []
  const mark = (j: number) => {
    if (!marked[j]) {
      marked[j] = 1
      queue.push(j)
    }
  }
  const markAgent = (i: number) => {
    for (const j of jobsOn[i]!) mark(j)
  }
  const markAll = () => {
    for (let j = 0; j < n; j++) mark(j)
  }
  const tryShift = (j: number): boolean => {
    const i0 = sigma[j]!
    const w0 = hours[i0 * n + j]!
    const out = pen(i0, load[i0]! - w0) - pen(i0, load[i0]!) - cost[i0 * n + j]!
    let bd = -EPS
    let bi = -1
    for (const i of cand[j]!) {
      if (i === i0) continue
      const d = out + cost[i * n + j]! + pen(i, load[i]! + hours[i * n + j]!) - pen(i, load[i]!)
      if (d < bd) {
        bd = d
        bi = i
      }
    }
    if (bi < 0) return false
    move(j, bi)
    markAgent(i0)
    markAgent(bi)
    return true
  }
  const trySwap = (j1: number): boolean => {
    const i1 = sigma[j1]!
    const p1 = i1 * n + j1
    let bd = -EPS
    let bj = -1
    for (const i2 of cand[j1]!) {
      if (i2 === i1) continue
      const l1 = load[i1]! - hours[p1]!
      const l2 = load[i2]! + hours[i2 * n + j1]!
      const base = cost[i2 * n + j1]! - cost[p1]! - pen(i1, load[i1]!) - pen(i2, load[i2]!)
      for (const j2 of jobsOn[i2]!) {
        const q = i1 * n + j2
        if (!allowed[q]) continue
        const p2 = i2 * n + j2
        const d = base + cost[q]! - cost[p2]! + pen(i1, l1 + hours[q]!) + pen(i2, l2 - hours[p2]!)
        if (d < bd) {
          bd = d
          bj = j2
        }
      }
    }
    if (bj < 0) return false
    const i2 = sigma[bj]!
    move(j1, i2)
    move(bj, i1)
    markAgent(i1)
    markAgent(i2)
    return true
  }
  const descend = () => {
    for (let steps = 0; queue.length > 0; steps++) {
      if ((steps & 63) === 0 && performance.now() >= deadlineAt) return
      const j = queue.pop()!
      marked[j] = 0
      if (!tryShift(j)) trySwap(j)
    }
  }

  let best: Int32Array | null = null
  let bestCost = Number.POSITIVE_INFINITY
  let descents = 0
  const target = input.target
  markAll()
  while (performance.now() < deadlineAt) {
    descend()
    descents++
    if (overload() <= EPS) {
      const value = objective()
      if (value < bestCost - EPS) {
        bestCost = value
        best = sigma.slice()
        if (bestCost <= target + EPS) break
      }
      rho = Math.max(rho0 * 0.1, rho * 0.9)
    } else {
      // Over capacity at a local optimum: make overload dearer and look again at the overloaded agents' jobs.
      rho *= 1.5
      for (let i = 0; i < m; i++) if (load[i]! > capacity[i]! + EPS) markAgent(i)
      continue
    }
    // Perturb the best (mostly) or the current solution with a few random shifts among candidates.
    if (best && rnd.next() < 0.8)
      for (let j = 0; j < n; j++)
        if (sigma[j] !== best[j]) {
          const from = sigma[j]!
          move(j, best[j]!)
          markAgent(from)
          markAgent(best[j]!)
        }
    const kicks = 2 + rnd.int(Math.max(2, Math.ceil(Math.min(n, 400) / 25)))
    for (let k = 0; k < kicks; k++) {
      const j = rnd.int(n)
      const c = cand[j]!
      const from = sigma[j]!
      move(j, c[rnd.int(c.length)]!)
      markAgent(from)
      markAgent(sigma[j]!)
    }
  }
  return { assignment: best, cost: bestCost, lagrangianBound, descents }
}
