import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { RowModel } from './highs.js'

/**
 * HiGHS on a worker thread, for the solves that must end by a wall-clock deadline. HiGHS checks its time
 * limit and calls the interrupt callbacks only between steps: in presolve (probing) of the exact step's
 * time-indexed models no callback came at all, and it ran up to ~170 ms past its limit on a quiet machine and
 * over a second on a loaded one. On the main thread that time is the caller's; here the caller stops waiting
 * at its deadline and the worker finishes on its own (its time limit is the same), free for the next solve.
 * The worker is plain JavaScript (it loads only the `highs` package), so it runs the same from the sources
 * (tsx, vitest) and from dist/.
 */
export interface MipAnswer {
  infeasible: boolean
  optimal: boolean
  /** HiGHS's dual bound (NaN when it has none). */
  dualBound: number
  /** The best solution's column values, when HiGHS has one. */
  colValue: Float64Array | null
}

/**
 * `late`: no answer by the deadline (the worker is still on it); `failed`: HiGHS reported a solve error, also
 * without presolve; `busy`: another solve still holds the worker.
 */
export type MipRun = { kind: 'answer'; answer: MipAnswer } | { kind: 'failed' | 'late' | 'busy' }

/** A solve this late after its deadline has hung: the worker is ended and a new one started next time. */
const HUNG_MS = 5000

const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads')
const loaded = require(workerData.highs)()
loaded.then(() => parentPort.postMessage({ ready: true }), (e) => parentPort.postMessage({ error: String(e) }))
parentPort.on('message', async (m) => {
  let reply
  try {
    reply = solve(await loaded, m)
  } catch (e) {
    reply = { id: m.id, error: String((e && e.stack) || e) }
  }
  parentPort.postMessage(reply, reply.colValue ? [reply.colValue.buffer] : [])
})
function solve(h, m) {
  const inf = h.infinity
  const clamp = (a) => a.map((v) => (v === Infinity ? inf : v === -Infinity ? -inf : v))
  const d = m.data
  const model = h.createModel({
    numCols: d.numCols, numRows: d.numRows, sense: h.constants.objectiveSense.minimize,
    colCost: d.colCost, colLower: clamp(d.colLower), colUpper: clamp(d.colUpper),
    rowLower: clamp(d.rowLower), rowUpper: clamp(d.rowUpper),
    matrix: { format: 'csr', numRows: d.numRows, numCols: d.numCols, starts: d.starts, indices: d.indices, values: d.values },
    integrality: d.integrality,
  })
  try {
    // The main thread's deadline, on this thread's clock.
    const deadline = m.runUntilEpochMs - performance.timeOrigin
    // A solve error after presolve on some small models goes away without presolve (see highs.ts, runUntil).
    let ok = run(h, model, deadline, m.options)
    if (!ok && performance.now() < deadline) ok = run(h, model, deadline, { ...m.options, presolve: 'off' })
    if (!ok) return { id: m.id, failed: true }
    const status = model.getModelStatus()
    const primal = Number(model.info.get('primal_solution_status')) === 2
    return {
      id: m.id,
      infeasible: status === h.constants.modelStatus.infeasible,
      optimal: status === h.constants.modelStatus.optimal,
      dualBound: Number(model.info.get('mip_dual_bound')),
      colValue: primal ? Float64Array.from(model.getSolution().colValue) : null,
    }
  } finally {
    model.dispose()
  }
}
function run(h, model, deadline, options) {
  model.zeroAllClocks()
  model.options.set({ output_flag: false, time_limit: Math.max(0.005, (deadline - performance.now()) / 1000), ...options })
  const stop = (event) => {
    if (performance.now() >= deadline) event.interrupt()
  }
  try {
    model.run({
      [h.constants.callbackType.simplexInterrupt]: stop,
      [h.constants.callbackType.ipmInterrupt]: stop,
      [h.constants.callbackType.mipInterrupt]: stop,
    })
    return true
  } catch (error) {
    if (error instanceof h.errors.HighsError && error.constructor === h.errors.HighsError) return false
    throw error
  }
}
`

interface Reply {
  id?: number
  ready?: true
  error?: string
  failed?: true
  infeasible?: boolean
  optimal?: boolean
  dualBound?: number
  colValue?: Float64Array | null
}

class SolverThread {
  readonly ready: Promise<void>
  /** Settles when the solve in progress has answered (or the worker has gone). */
  busy: Promise<void> | null = null
  private readonly worker: Worker
  private readonly pending = new Map<number, (r: Reply) => void>()
  private nextId = 1
  private failure: Error | null = null

  constructor(onExit: () => void) {
    const highsEntry = createRequire(import.meta.url).resolve('highs')
    this.worker = new Worker(WORKER_CODE, { eval: true, workerData: { highs: highsEntry } })
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (r: Reply) => {
        if (r.ready) resolve()
        else if (r.id === undefined) reject(new Error(`HiGHS did not load on the worker: ${r.error}`))
        else this.pending.get(r.id)?.(r)
      })
      this.worker.on('error', (e) => {
        this.failure = e
        reject(e)
      })
      this.worker.on('exit', () => {
        this.failure ??= new Error('the HiGHS worker stopped')
        for (const settle of this.pending.values()) settle({ error: this.failure.message })
        this.pending.clear()
        onExit()
      })
    })
    this.ready.catch(() => undefined)
    // An idle solver thread must not keep the process alive (after the listeners: adding one refs it again).
    this.worker.unref()
  }

  solve(data: ReturnType<RowModel['plain']>, options: Record<string, unknown>, runUntilAt: number) {
    const id = this.nextId++
    const answer = new Promise<Reply>((resolve) => {
      this.pending.set(id, (r) => {
        this.pending.delete(id)
        resolve(r)
      })
    })
    this.busy = answer.then(() => {
      this.busy = null
    })
    this.worker.postMessage({ id, data, options, runUntilEpochMs: runUntilAt + performance.timeOrigin }, [
      data.colCost.buffer,
      data.colLower.buffer,
      data.colUpper.buffer,
      data.rowLower.buffer,
      data.rowUpper.buffer,
      data.starts.buffer,
      data.indices.buffer,
      data.values.buffer,
      data.integrality.buffer,
    ])
    return answer
  }

  end(): void {
    void this.worker.terminate()
  }
}

let thread: SolverThread | null = null

function solverThread(): SolverThread {
  thread ??= new SolverThread(() => {
    thread = null
  })
  return thread
}

/** Starts the worker and loads HiGHS on it in the background (the first time in a process). */
export function warmHighsWorker(): void {
  solverThread()
}

/**
 * Waits, until `deadlineAt` at most, for HiGHS to load on the worker and for the worker to finish a solve that
 * ran past its caller's deadline; false when it is not free by then. A worker that failed to load rejects (a
 * broken installation is a bug, not a slow machine).
 */
export async function highsWorkerReady(deadlineAt: number): Promise<boolean> {
  const t = solverThread()
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadlineAt - performance.now()))
  })
  const free = async () => {
    await t.ready
    while (t.busy) await t.busy
    return true
  }
  try {
    return await Promise.race([free(), late])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Solves a minimisation MIP on the worker. HiGHS's time limit and interrupts aim at `runUntilAt`; whatever
 * happens, this returns by `deadlineAt` (both performance.now() values), `late` when HiGHS has not answered.
 */
export async function solveMipOnWorker(
  m: RowModel,
  options: Record<string, unknown>,
  runUntilAt: number,
  deadlineAt: number,
): Promise<MipRun> {
  const t = solverThread()
  if (t.busy) return { kind: 'busy' }
  const answer = t.solve(m.plain(), options, runUntilAt)
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), Math.max(0, deadlineAt - performance.now()))
  })
  const r = await Promise.race([answer, late])
  clearTimeout(timer)
  if (!r) {
    // The worker is still in HiGHS; it normally stops at its own time limit soon after.
    const hung = setTimeout(() => t.end(), HUNG_MS)
    hung.unref()
    void answer.then(() => clearTimeout(hung))
    return { kind: 'late' }
  }
  if (r.error !== undefined) throw new Error(`HiGHS worker: ${r.error}`)
  if (r.failed) return { kind: 'failed' }
  return {
    kind: 'answer',
    answer: {
      infeasible: r.infeasible === true,
      optimal: r.optimal === true,
      dualBound: r.dualBound ?? Number.NaN,
      colValue: r.colValue ?? null,
    },
  }
}
