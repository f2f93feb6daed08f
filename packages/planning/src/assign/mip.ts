import { highs, runUntil } from '../highs.js'
import type { Gap } from './model.js'

/**
 * The GAP as a 0-1 program for HiGHS: one column per allowed (agent, job) pair, an equality row per job and
 * a capacity row per agent. Its LP relaxation gives the bound reported on every instance and, through the
 * capacity rows' duals, the Lagrangian multipliers (Ross & Soland 1975) that steer the heuristic.
 */
export interface GapLp {
  status: 'optimal' | 'infeasible' | 'time'
  /** LP optimum (minimisation form, i.e. times sign). */
  bound: number
  /** x[i * n + j] of the LP solution. */
  x: Float64Array
  /** Capacity multipliers u[i] >= 0 from the LP duals. */
  u: Float64Array
  /** Duals v[j] of the assignment rows (the multipliers the knapsack relaxation starts from). */
  v: Float64Array
}

export interface GapMip {
  status: 'optimal' | 'infeasible' | 'time'
  /** Best assignment found, or null. */
  assignment: Int32Array | null
  /** MIP dual bound (minimisation form). */
  bound: number
}

function build(
  g: Gap,
  h: Awaited<ReturnType<typeof highs>>,
  integer: boolean,
  columns: Uint8Array = g.allowed,
) {
  const { m, n } = g
  const pairs: number[] = []
  for (let p = 0; p < m * n; p++) if (columns[p]) pairs.push(p)
  // Agents with a soft capacity get a row load_i - o_i <= target_i and a continuous column o_i >= 0
  // priced overCost_i (the hours above target).
  const softRow = new Int32Array(m).fill(-1)
  const soft: number[] = []
  for (let i = 0; i < m; i++)
    if (Number.isFinite(g.target[i]!) && g.overCost[i]! > 0) {
      softRow[i] = n + m + soft.length
      soft.push(i)
    }
  const N = pairs.length + soft.length
  const R = n + m + soft.length
  const starts = new Int32Array(N + 1)
  const indices: number[] = []
  const values: number[] = []
  const cost = new Float64Array(N)
  const entry = (row: number, value: number) => {
    indices.push(row)
    values.push(value)
  }
  pairs.forEach((p, col) => {
    const i = Math.floor(p / n)
    const j = p - i * n
    cost[col] = g.cost[p]!
    starts[col] = indices.length
    entry(j, 1)
    entry(n + i, g.hours[p]!)
    if (softRow[i]! >= 0) entry(softRow[i]!, g.hours[p]!)
  })
  soft.forEach((i, k) => {
    const col = pairs.length + k
    cost[col] = g.overCost[i]!
    starts[col] = indices.length
    entry(softRow[i]!, -1)
  })
  starts[N] = indices.length
  const rowLower = new Float64Array(R).fill(-h.infinity)
  const rowUpper = new Float64Array(R)
  rowLower.fill(1, 0, n)
  rowUpper.fill(1, 0, n)
  rowUpper.set(g.capacity, n)
  for (const i of soft) rowUpper[softRow[i]!] = g.target[i]!
  const colUpper = new Float64Array(N).fill(1)
  colUpper.fill(h.infinity, pairs.length)
  const integrality = new Int32Array(N)
  integrality.fill(1, 0, pairs.length)
  return {
    pairs,
    soft,
    data: {
      numCols: N,
      numRows: R,
      colCost: cost,
      colLower: new Float64Array(N),
      colUpper,
      rowLower,
      rowUpper,
      matrix: {
        format: 'csc' as const,
        numRows: R,
        numCols: N,
        starts,
        indices: Int32Array.from(indices),
        values: Float64Array.from(values),
      },
      ...(integer ? { integrality } : {}),
    },
  }
}

/** Above this many pairs the LP is solved by pricing columns in, not whole. */
const PRICING_PAIRS = 20_000
/** Columns per job to start the pricing with. */
const START_COLUMNS = 4
/** Columns per job entering in one pricing round. */
const ENTER_PER_JOB = 3

/**
 * The LP relaxation. Large instances use column generation (Dantzig–Wolfe pricing): solve the LP over a few
 * cheap agents per job, add every pair whose reduced cost c - v_j + u_i·a (from the duals) is negative,
 * repeat until none is; the result is the optimum of the whole LP at a fraction of its size.
 */
export async function solveGapLp(g: Gap, deadlineAt: number): Promise<GapLp> {
  const { m, n } = g
  let total = 0
  for (const a of g.allowed) total += a
  const columns = new Uint8Array(m * n)
  if (total <= PRICING_PAIRS) columns.set(g.allowed)
  else seedColumns(g, columns, START_COLUMNS)
  const h = await highs()
  const { pairs, soft, data } = build(g, h, false, columns)
  const softRow = new Int32Array(m).fill(-1)
  soft.forEach((i, k) => {
    softRow[i] = n + m + k
  })
  const model = h.createModel(data)
  const x = new Float64Array(m * n)
  const u = new Float64Array(m)
  const v = new Float64Array(n)
  try {
    let perJob = START_COLUMNS
    for (;;) {
      if (!runUntil(h, model, deadlineAt)) return { status: 'time', bound: Number.NEGATIVE_INFINITY, x, u, v }
      const status = model.getModelStatus()
      let fresh: number[] = []
      let duals: Float64Array | null = null
      if (status === h.constants.modelStatus.infeasible) {
        // Too few columns to fit the capacities: widen; infeasible for real once every pair is in.
        if (pairs.length === total) return { status: 'infeasible', bound: Number.POSITIVE_INFINITY, x, u, v }
        perJob = Math.min(m, perJob * 2)
        const wider = columns.slice()
        seedColumns(g, wider, perJob)
        for (let p = 0; p < m * n; p++) if (wider[p] && !columns[p]) fresh.push(p)
      } else if (status !== h.constants.modelStatus.optimal) {
        return { status: 'time', bound: Number.NEGATIVE_INFINITY, x, u, v }
      } else {
        duals = model.getSolution().rowDual
        // Pricing: reduced cost c - v_j + a·(u_i + w_i) of every pair not yet in; per job only the few most
        // negative enter (partial pricing), since early duals would otherwise drag in nearly every pair.
        const load = new Float64Array(m)
        for (let i = 0; i < m; i++) load[i] = -duals[n + i]! - (softRow[i]! >= 0 ? duals[softRow[i]!]! : 0)
        const best: { p: number; rc: number }[] = []
        for (let j = 0; j < n; j++) {
          best.length = 0
          for (let i = 0; i < m; i++) {
            const p = i * n + j
            if (!g.allowed[p] || columns[p]) continue
            const rc = g.cost[p]! - duals[j]! + load[i]! * g.hours[p]!
            if (rc < -1e-7) best.push({ p, rc })
          }
          best.sort((a, b) => a.rc - b.rc)
          for (const c of best.slice(0, ENTER_PER_JOB)) fresh.push(c.p)
        }
        if (fresh.length === 0) {
          const sol = model.getSolution()
          pairs.forEach((p, col) => {
            x[p] = sol.colValue[col]!
          })
          for (let i = 0; i < m; i++) u[i] = Math.max(0, -duals[n + i]!)
          for (let j = 0; j < n; j++) v[j] = duals[j]!
          return { status: 'optimal', bound: model.getObjectiveValue(), x, u, v }
        }
      }
      addColumns(model, g, fresh, softRow, data.numRows)
      for (const p of fresh) {
        columns[p] = 1
        pairs.push(p)
      }
      fresh = []
    }
  } finally {
    model.dispose()
  }
}

/**
 * Marks, per job, its k cheapest agents and the k it takes least capacity of: where cost and hours pull
 * apart (Chu & Beasley's types D and E) the LP optimum mixes both.
 */
function seedColumns(g: Gap, columns: Uint8Array, k: number): void {
  const { m, n } = g
  for (let j = 0; j < n; j++) {
    const agents: number[] = []
    for (let i = 0; i < m; i++) if (g.allowed[i * n + j]) agents.push(i)
    agents.sort((a, b) => g.cost[a * n + j]! - g.cost[b * n + j]!)
    for (const i of agents.slice(0, k)) columns[i * n + j] = 1
    agents.sort((a, b) => g.hours[a * n + j]! - g.hours[b * n + j]!)
    for (const i of agents.slice(0, k)) columns[i * n + j] = 1
  }
}

function addColumns(
  model: { addCols(data: unknown): unknown },
  g: Gap,
  fresh: number[],
  softRow: Int32Array,
  numRows: number,
): void {
  const starts = new Int32Array(fresh.length + 1)
  const indices: number[] = []
  const values: number[] = []
  fresh.forEach((p, k) => {
    const i = Math.floor(p / g.n)
    const j = p - i * g.n
    starts[k] = indices.length
    indices.push(j, g.n + i)
    values.push(1, g.hours[p]!)
    if (softRow[i]! >= 0) {
      indices.push(softRow[i]!)
      values.push(g.hours[p]!)
    }
  })
  starts[fresh.length] = indices.length
  model.addCols({
    cost: Float64Array.from(fresh, (p) => g.cost[p]!),
    lower: new Float64Array(fresh.length),
    upper: new Float64Array(fresh.length).fill(1),
    matrix: {
      format: 'csc',
      numRows,
      numCols: fresh.length,
      starts,
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
    },
  })
}

/**
 * `integral`: every objective value is a whole number, so a gap below 1 already proves optimality.
 * `columns`: the pairs the model gets (default: every allowed one); fewer after variable fixing, when
 * "infeasible" only means that nothing beats the incumbent. `stopBelow`: return (status "time") as soon as
 * an assignment cheaper than this is found. `cutoff`: only assignments with a cost at most this count (HiGHS's
 * objective bound); "infeasible" then means none exists.
 */
export async function solveGapMip(
  g: Gap,
  deadlineAt: number,
  incumbent: Int32Array | null,
  integral: boolean,
  columns: Uint8Array = g.allowed,
  stopBelow = Number.NEGATIVE_INFINITY,
  cutoff = Number.POSITIVE_INFINITY,
): Promise<GapMip> {
  const h = await highs()
  const { pairs, soft, data } = build(g, h, true, columns)
  const model = h.createModel(data)
  try {
    if (incumbent?.every((i, j) => columns[i * g.n + j] === 1)) {
      const colValue = new Float64Array(data.numCols)
      const load = new Float64Array(g.m)
      pairs.forEach((p, col) => {
        const i = Math.floor(p / g.n)
        if (incumbent[p - i * g.n] === i) {
          colValue[col] = 1
          load[i]! += g.hours[p]!
        }
      })
      soft.forEach((i, k) => {
        colValue[pairs.length + k] = Math.max(0, load[i]! - g.target[i]!)
      })
      model.setSolution({ colValue })
    }
    const ran = runUntil(
      h,
      model,
      deadlineAt,
      {
        mip_rel_gap: 0,
        mip_abs_gap: integral ? 0.999 : 1e-6,
        ...(Number.isFinite(cutoff) ? { objective_bound: cutoff } : {}),
      },
      stopBelow,
    )
    if (!ran) return { status: 'time', assignment: null, bound: Number.NEGATIVE_INFINITY }
    const status = model.getModelStatus()
    if (status === h.constants.modelStatus.infeasible)
      return { status: 'infeasible', assignment: null, bound: Number.POSITIVE_INFINITY }
    const dual = Number(model.info.get('mip_dual_bound'))
    const hasSolution = Number(model.info.get('primal_solution_status')) === 2
    let assignment: Int32Array | null = null
    if (hasSolution) {
      const v = model.getSolution().colValue
      assignment = new Int32Array(g.n).fill(-1)
      pairs.forEach((p, col) => {
        if (v[col]! > 0.5) {
          const i = Math.floor(p / g.n)
          assignment![p - i * g.n] = i
        }
      })
      if (assignment.some((a) => a < 0)) assignment = null
    }
    return {
      status: status === h.constants.modelStatus.optimal ? 'optimal' : 'time',
      assignment,
      bound: Number.isFinite(dual) ? dual : Number.NEGATIVE_INFINITY,
    }
  } finally {
    model.dispose()
  }
}
