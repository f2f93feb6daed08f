import { highs } from '../highs.js'
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
  const N = pairs.length
  const starts = new Int32Array(N + 1)
  const indices = new Int32Array(2 * N)
  const values = new Float64Array(2 * N)
  const cost = new Float64Array(N)
  pairs.forEach((p, col) => {
    const i = Math.floor(p / n)
    const j = p - i * n
    cost[col] = g.cost[p]!
    starts[col] = 2 * col
    indices[2 * col] = j
    values[2 * col] = 1
    indices[2 * col + 1] = n + i
    values[2 * col + 1] = g.hours[p]!
  })
  starts[N] = 2 * N
  const rowLower = new Float64Array(n + m)
  const rowUpper = new Float64Array(n + m)
  rowLower.fill(1, 0, n)
  rowUpper.fill(1, 0, n)
  rowLower.fill(-h.infinity, n)
  rowUpper.set(g.capacity, n)
  return {
    pairs,
    data: {
      numCols: N,
      numRows: n + m,
      colCost: cost,
      colLower: new Float64Array(N),
      colUpper: new Float64Array(N).fill(1),
      rowLower,
      rowUpper,
      matrix: { format: 'csc' as const, numRows: n + m, numCols: N, starts, indices, values },
      ...(integer ? { integrality: new Int32Array(N).fill(1) } : {}),
    },
  }
}

const seconds = (deadlineAt: number) => Math.max(0.01, (deadlineAt - performance.now()) / 1000)

export async function solveGapLp(g: Gap, deadlineAt: number): Promise<GapLp> {
  const h = await highs()
  const { pairs, data } = build(g, h, false)
  const model = h.createModel(data)
  try {
    model.options.set({ output_flag: false, time_limit: seconds(deadlineAt) })
    model.run()
    const status = model.getModelStatus()
    const x = new Float64Array(g.m * g.n)
    const u = new Float64Array(g.m)
    if (status === h.constants.modelStatus.infeasible) return { status: 'infeasible', bound: Number.POSITIVE_INFINITY, x, u }
    if (status !== h.constants.modelStatus.optimal) return { status: 'time', bound: Number.NEGATIVE_INFINITY, x, u }
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

export async function solveGapMip(g: Gap, deadlineAt: number, incumbent: Int32Array | null): Promise<GapMip> {
  const h = await highs()
  const { pairs, data } = build(g, h, true)
  const model = h.createModel(data)
  try {
    model.options.set({ output_flag: false, time_limit: seconds(deadlineAt), mip_rel_gap: 0, mip_abs_gap: 1e-6 })
    if (incumbent) {
      const colValue = new Float64Array(pairs.length)
      pairs.forEach((p, col) => {
        const i = Math.floor(p / g.n)
        if (incumbent[p - i * g.n] === i) colValue[col] = 1
      })
      model.setSolution({ colValue })
    }
    model.run()
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
