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
}

export interface GapMip {
  status: 'optimal' | 'infeasible' | 'time'
  /** Best assignment found, or null. */
  assignment: Int32Array | null
  /** MIP dual bound (minimisation form). */
  bound: number
}

function build(g: Gap, h: Awaited<ReturnType<typeof highs>>, integer: boolean) {
  const { m, n } = g
  const pairs: number[] = []
  for (let p = 0; p < m * n; p++) if (g.allowed[p]) pairs.push(p)
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

export async function solveGapLp(g: Gap, deadlineAt: number): Promise<GapLp> {
  const h = await highs()
  const { pairs, data } = build(g, h, false)
  const model = h.createModel(data)
  try {
    runUntil(h, model, deadlineAt)
    const status = model.getModelStatus()
    const x = new Float64Array(g.m * g.n)
    const u = new Float64Array(g.m)
    if (status === h.constants.modelStatus.infeasible)
      return { status: 'infeasible', bound: Number.POSITIVE_INFINITY, x, u }
    if (status !== h.constants.modelStatus.optimal)
      return { status: 'time', bound: Number.NEGATIVE_INFINITY, x, u }
    const sol = model.getSolution()
    pairs.forEach((p, col) => {
      x[p] = sol.colValue[col]!
    })
    for (let i = 0; i < g.m; i++) u[i] = Math.max(0, -sol.rowDual[g.n + i]!)
    return { status: 'optimal', bound: model.getObjectiveValue(), x, u }
  } finally {
    model.dispose()
  }
}

/** `integral`: every objective value is a whole number, so a gap below 1 already proves optimality. */
export async function solveGapMip(
  g: Gap,
  deadlineAt: number,
  incumbent: Int32Array | null,
  integral: boolean,
): Promise<GapMip> {
  const h = await highs()
  const { pairs, soft, data } = build(g, h, true)
  const model = h.createModel(data)
  try {
    if (incumbent) {
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
    runUntil(h, model, deadlineAt, { mip_rel_gap: 0, mip_abs_gap: integral ? 0.999 : 1e-6 })
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
