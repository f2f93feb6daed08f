import type { Gap } from './model.js'
import { StepSize } from './step-size.js'

/**
 * The Lagrangian relaxation of the assignment rows (Fisher, Jaikumar & Van Wassenhove 1986): with a
 * multiplier v_j per job the GAP splits into one 0-1 knapsack per agent, max Σ_j (v_j − c_ij)·x_ij subject
 * to Σ_j a_ij·x_ij ≤ b_i, and L(v) = Σ_j v_j − Σ_i knapsack_i(v) bounds the optimum from below — at least as
 * tightly as the LP, since knapsacks lack the integrality property. Subgradient optimisation from the LP's
 * job duals finds good multipliers. Then Lagrangian probing fixes variables: forcing a pair in (or out)
 * changes only its agent's knapsack, so the bound with x_ij fixed follows from forward and backward knapsack
 * tables in O(b_i); a pair whose forced bound cannot beat the incumbent is left out of the MIP (and a pair
 * that cannot be left out fixes its job) — reduced-cost fixing with the knapsack bound, as in Nauss (2003,
 * INFORMS J. Computing 15). Knapsacks by dynamic programming, so hours and capacities must be whole numbers.
 */
export interface KnapsackBound {
  /** Best L(v) met (minimisation form). */
  bound: number
  /** 1 for every pair that can be in an assignment cheaper than the incumbent (a subset of g.allowed). */
  keep: Uint8Array
  /** Pairs left out. */
  removed: number
  /** The multipliers of the bound (to start a later call from). */
  v: Float64Array
}

/** Work per knapsack round above which the relaxation is not tried (m · n · capacity). */
const MAX_WORK = 3_000_000

export function knapsackApplies(g: Gap): boolean {
  if (g.overCost.some((c) => c > 0)) return false
  if (!g.hours.every(Number.isInteger)) return false
  let work = 0
  for (let i = 0; i < g.m; i++) work += g.n * (Math.floor(g.capacity[i]!) + 1)
  return work <= MAX_WORK
}

/**
 * `upper`: the incumbent's cost; `improve`: how much cheaper an assignment must be to matter (just under 1
 * for whole-number costs, a hair above 0 otherwise). `v0`: starting multipliers (the LP's job duals).
 */
export function knapsackBound(
  g: Gap,
  upper: number,
  improve: number,
  v0: Float64Array | null,
  deadlineAt: number,
  iterations = 400,
): KnapsackBound {
  const { m, n } = g
  const cap = Int32Array.from(g.capacity, (b) => Math.floor(b + 1e-9))
  const v = new Float64Array(n)
  if (v0) v.set(v0)
  else
    for (let j = 0; j < n; j++) {
      // The cheapest cost of each job: every knapsack starts empty, L(v) = the unconstrained assignment.
      let best = Number.POSITIVE_INFINITY
      for (let i = 0; i < m; i++) if (g.allowed[i * n + j]) best = Math.min(best, g.cost[i * n + j]!)
      v[j] = best
    }
  const bestV = v.slice()
  const take = new Int32Array(n)
  const pick = new Uint8Array(n)
  const tables = Array.from(cap, (b) => new Float64Array((n + 1) * (b + 1)))
  const step = new StepSize(1)
  for (let it = 0; it < iterations && performance.now() < deadlineAt; it++) {
    let value = 0
    for (let j = 0; j < n; j++) value += v[j]!
    take.fill(0)
    for (let i = 0; i < m; i++) {
      value -= solveKnapsack(g, i, v, cap[i]!, tables[i]!, pick)
      for (let j = 0; j < n; j++) take[j]! += pick[j]!
    }
    if (step.record(value)) bestV.set(v)
    if (step.best > upper - improve || step.theta < 1e-4) break
    // Subgradient 1 − Σ_i x_ij, Polyak step towards the incumbent's cost.
    let norm = 0
    for (let j = 0; j < n; j++) norm += (1 - take[j]!) ** 2
    if (norm === 0) break
    const size = (step.theta * Math.max(upper - value, 1e-3)) / norm
    for (let j = 0; j < n; j++) v[j]! += size * (1 - take[j]!)
  }
  return probe(g, upper, improve, bestV, step.best, cap)
}

/**
 * Knapsack of agent i under multipliers v: max Σ (v_j − c_ij)·x_ij, Σ a_ij·x_ij ≤ b, over the allowed pairs
 * with positive profit. `table` gets the forward DP (row k: the first k jobs); `pick` the chosen jobs.
 */
function solveKnapsack(
  g: Gap,
  i: number,
  v: Float64Array,
  b: number,
  table: Float64Array,
  pick: Uint8Array,
): number {
  const n = g.n
  const W = b + 1
  table.fill(0, 0, W)
  for (let j = 0; j < n; j++) knapsackRow(g, i * n + j, v[j]!, table, (j + 1) * W, j * W, W)
  pick.fill(0)
  let w = b
  for (let j = n - 1; j >= 0; j--) {
    if (table[(j + 1) * W + w] !== table[j * W + w]) {
      pick[j] = 1
      w -= g.hours[i * n + j]!
    }
  }
  return table[n * W + b]!
}

/** One step of the knapsack DP: row `row` = row `prev` with pair p's job offered (when allowed and profitable). */
function knapsackRow(
  g: Gap,
  p: number,
  vj: number,
  table: Float64Array,
  row: number,
  prev: number,
  W: number,
) {
  const profit = vj - g.cost[p]!
  if (!g.allowed[p] || profit <= 0) {
    table.copyWithin(row, prev, prev + W)
    return
  }
  const a = g.hours[p]!
  for (let w = 0; w < W; w++) {
    const skip = table[prev + w]!
    table[row + w] = w >= a ? Math.max(skip, table[prev + w - a]! + profit) : skip
  }
}

function probe(
  g: Gap,
  upper: number,
  improve: number,
  v: Float64Array,
  bound: number,
  cap: Int32Array,
): KnapsackBound {
  const { m, n } = g
  const keep = g.allowed.slice()
  if (!Number.isFinite(bound)) return { bound, keep, removed: 0, v }
  // Knapsack values under the best multipliers, and per agent the value with each job forced in or out.
  const limit = upper - improve
  const forcedIn = new Float64Array(m * n).fill(Number.POSITIVE_INFINITY)
  const forcedOut = new Float64Array(m * n).fill(Number.POSITIVE_INFINITY)
  const K = new Float64Array(m)
  for (let i = 0; i < m; i++) {
    const b = cap[i]!
    const W = b + 1
    const fwd = new Float64Array((n + 1) * W)
    const pick = new Uint8Array(n)
    K[i] = solveKnapsack(g, i, v, b, fwd, pick)
    // Backward table: row k holds the best over jobs k .. n-1.
    const bwd = new Float64Array((n + 1) * W)
    for (let j = n - 1; j >= 0; j--) knapsackRow(g, i * n + j, v[j]!, bwd, j * W, (j + 1) * W, W)
    for (let j = 0; j < n; j++) {
      const p = i * n + j
      if (!g.allowed[p]) continue
      // The best knapsack without job j within capacity c: combine the jobs before and after it.
      const without = (c: number) => {
        let best = 0
        for (let w = 0; w <= c; w++) {
          const x = fwd[j * W + w]! + bwd[(j + 1) * W + (c - w)]!
          if (x > best) best = x
        }
        return best
      }
      const a = g.hours[p]!
      const withJ = a <= b ? v[j]! - g.cost[p]! + without(b - a) : Number.NEGATIVE_INFINITY
      const withoutJ = pick[j] ? without(b) : K[i]!
      forcedIn[p] = K[i]! - withJ
      forcedOut[p] = K[i]! - withoutJ
    }
  }
  let removed = 0
  for (let p = 0; p < m * n; p++) {
    // L with x_p = 1 forced: bound + (K_i − best knapsack containing j).
    if (keep[p] && bound + forcedIn[p]! > limit) {
      keep[p] = 0
      removed++
    }
  }
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) {
      const p = i * n + j
      // Leaving job j off agent i would already cost too much: in every better assignment j is on i.
      if (!g.allowed[p] || !(bound + forcedOut[p]! > limit)) continue
      for (let k = 0; k < m; k++) {
        if (k !== i && keep[k * n + j]) {
          keep[k * n + j] = 0
          removed++
        }
      }
    }
  }
  return { bound, keep, removed, v }
}
