import { RowModel } from '../highs.js'
import { highsWorkerReady, solveMipOnWorker } from '../highs-worker.js'
import { type Compiled, capacityAt } from './compiled.js'
import type { Pace } from './pace.js'
import { tails } from './temporal.js'

/**
 * The exact step: the time-indexed 0-1 model of Pritsker, Watters & Wolfe (1969) with the disaggregated
 * precedence rows of Christofides, Alvarez-Valdes & Tamarit (1987), solved by HiGHS. It asks for a schedule
 * shorter than the heuristic's best (horizon = best - 1, windows from heads and tails), so infeasibility
 * proves the heuristic optimal and any answer improves it; when time runs out the MIP's dual bound is still a
 * valid lower bound. Only for models small enough to solve in the time left.
 */
export interface ExactOutcome {
  status: 'optimal' | 'improved' | 'bound' | 'time' | 'skipped'
  lowerBound: number
  starts?: Int32Array
  makespan: number
}

const MAX_COLUMNS = 6000
const MAX_NONZEROS = 150_000
/** CPU time below which a solve is not worth starting: loading HiGHS's model and a first LP. */
const MIN_CPU_MS = 40
/** Measured CPU cost of building the model in JS plus handing it to WebAssembly, with some room. */
const CPU_MS_PER_NONZERO = 0.004
/**
 * CPU time kept after HiGHS's time limit for its answer to reach this thread and be read. HiGHS itself runs on
 * a worker (see highs-worker.ts): it may run past its limit (it checks it only between steps; ~170 ms
 * measured in presolve's probing on j3037_7), but then its answer is simply not waited for.
 */
const ANSWER_CPU_MS = 10

/** Whether the time-indexed model for beating `makespan` is small enough to try. */
export function exactFits(c: Compiled, es: Int32Array, makespan: number): boolean {
  const q = tails(c, null, 0)
  let cols = 0
  let nonzeros = 0
  for (let i = 0; i < c.n; i++) {
    const w = Math.max(0, makespan - 1 - c.dur[i]! - q[i]! - es[i]! + 1)
    cols += w
    nonzeros += w * (1 + c.dur[i]! * (c.demStart[i + 1]! - c.demStart[i]!))
  }
  return cols <= MAX_COLUMNS && nonzeros <= MAX_NONZEROS
}

function finishCoveredBySuccessor(c: Compiled, i: number): boolean {
  for (let e = c.succStart[i]!; e < c.succStart[i + 1]!; e++)
    if (c.succDelta[e]! + c.dur[c.succ[e]!]! >= c.dur[i]!) return true
  return false
}

export async function exactSearch(
  c: Compiled,
  es: Int32Array,
  makespan: number,
  lowerBound: number,
  deadlineAt: number,
  pace: Pace,
): Promise<ExactOutcome> {
  const skipped: ExactOutcome = { status: 'skipped', lowerBound, makespan }
  const T = makespan - 1
  const q = tails(c, null, 0)
  const lo = es
  const hi = new Int32Array(c.n)
  let cols = 0
  for (let i = 0; i < c.n; i++) {
    hi[i] = T - c.dur[i]! - q[i]!
    if (hi[i]! < lo[i]!) return { status: 'optimal', lowerBound: makespan, makespan }
    cols += hi[i]! - lo[i]! + 1
  }
  let nonzeros = 0
  for (let i = 0; i < c.n; i++)
    nonzeros += (hi[i]! - lo[i]! + 1) * (1 + c.dur[i]! * (c.demStart[i + 1]! - c.demStart[i]!))
  if (cols > MAX_COLUMNS || nonzeros > MAX_NONZEROS) return skipped
  // The time limit is a wall-clock bound. Building the model cannot be interrupted, and on a loaded machine
  // each CPU millisecond costs `pace` wall milliseconds: only start when it fits in what is left. The factor
  // is measured over the synchronous search so far, before any await: waiting for HiGHS is not starvation.
  const f = pace.factor()
  const answerMs = f * ANSWER_CPU_MS
  const setupMs = f * (MIN_CPU_MS + nonzeros * CPU_MS_PER_NONZERO) + answerMs
  if (deadlineAt - performance.now() < setupMs) return skipped
  if (!(await highsWorkerReady(deadlineAt - setupMs))) return skipped
  const buildStarted = performance.now()

  const m = new RowModel()
  const first = new Int32Array(c.n)
  for (let i = 0; i < c.n; i++) {
    first[i] = m.numCols
    for (let t = lo[i]!; t <= hi[i]!; t++) m.addCol(0, 0, 1, true)
  }
  const x = (i: number, t: number) => first[i]! + t - lo[i]!
  const mk = m.addCol(1, 0, T, false)
  for (let i = 0; i < c.n; i++) {
    const cols: number[] = []
    const coefs: number[] = []
    for (let t = lo[i]!; t <= hi[i]!; t++) {
      cols.push(x(i, t))
      coefs.push(1)
    }
    m.addRow(cols, coefs, 1, 1)
    // makespan >= finish of i, unless a successor is bound to finish no earlier (a start-to-start lag
    // shorter than i, or a negative one, lets i finish last though it has successors).
    if (!finishCoveredBySuccessor(c, i)) {
      const fc = cols.slice()
      const fv = coefs.map((_, k) => -(lo[i]! + k + c.dur[i]!))
      m.addRow([...fc, mk], [...fv, 1], 0, Number.POSITIVE_INFINITY)
    }
  }
  // S_j - S_i >= delta as: for every t, (j started by t) <= (i started by t - delta).
  for (let i = 0; i < c.n; i++) {
    for (let e = c.succStart[i]!; e < c.succStart[i + 1]!; e++) {
      const j = c.succ[e]!
      const d = c.succDelta[e]!
      for (let t = lo[j]!; t <= hi[j]!; t++) {
        const cols: number[] = []
        const coefs: number[] = []
        for (let s = lo[j]!; s <= t; s++) {
          cols.push(x(j, s))
          coefs.push(1)
        }
        for (let s = lo[i]!; s <= Math.min(hi[i]!, t - d); s++) {
          cols.push(x(i, s))
          coefs.push(-1)
        }
        m.addRow(cols, coefs, Number.NEGATIVE_INFINITY, 0)
      }
    }
  }
  for (let k = 0; k < c.base.length; k++) {
    const users: { i: number; r: number }[] = []
    for (let i = 0; i < c.n; i++)
      for (let e = c.demStart[i]!; e < c.demStart[i + 1]!; e++)
        if (c.demRes[e] === k) users.push({ i, r: c.demAmt[e]! })
    if (users.length === 0) continue
    for (let t = 0; t < T; t++) {
      const cols: number[] = []
      const coefs: number[] = []
      let total = 0
      for (const { i, r } of users) {
        for (let s = Math.max(lo[i]!, t - c.dur[i]! + 1); s <= Math.min(hi[i]!, t); s++) {
          cols.push(x(i, s))
          coefs.push(r)
          total += r
        }
      }
      const cap = capacityAt(c, k, t)
      if (total > cap + 1e-9) m.addRow(cols, coefs, Number.NEGATIVE_INFINITY, cap)
    }
  }

  // Loading into WebAssembly (on the worker) was measured at up to 3 times the build; then HiGHS needs time.
  const buildMs = performance.now() - buildStarted
  const runUntilAt = deadlineAt - answerMs
  if (runUntilAt - performance.now() < 3 * buildMs + f * MIN_CPU_MS) return skipped
  const run = await solveMipOnWorker(m, { mip_rel_gap: 0, mip_abs_gap: 0.999 }, runUntilAt, deadlineAt)
  if (run.kind === 'busy') return skipped
  if (run.kind !== 'answer') return { status: 'time', lowerBound, makespan }
  const { answer } = run
  if (answer.infeasible) return { status: 'optimal', lowerBound: makespan, makespan }
  const dual = answer.dualBound
  const bound = Number.isFinite(dual) ? Math.min(makespan, Math.ceil(dual - 1e-6)) : lowerBound
  const lb = Math.max(lowerBound, bound)
  const solution = answer.colValue
  if (solution) {
    const starts = new Int32Array(c.n)
    for (let i = 0; i < c.n; i++) {
      let best = lo[i]!
      for (let t = lo[i]!; t <= hi[i]!; t++) if (solution[x(i, t)]! > solution[x(i, best)]!) best = t
      starts[i] = best
    }
    let ms = 0
    for (let i = 0; i < c.n; i++) ms = Math.max(ms, starts[i]! + c.dur[i]!)
    return {
      status: answer.optimal ? 'optimal' : 'improved',
      lowerBound: answer.optimal ? ms : Math.max(lb, 0),
      starts,
      makespan: ms,
    }
  }
  return { status: lb > lowerBound ? 'bound' : 'time', lowerBound: lb, makespan }
}
