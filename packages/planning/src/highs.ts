import highsModule, { type Highs } from 'highs'

// The package's types are CommonJS-shaped (`exports.default`), its ESM build exports the loader as default.
type Loader = (typeof highsModule)['default']
const loadHighs = ((highsModule as unknown as { default?: Loader }).default ?? highsModule) as Loader

let instance: Promise<Highs> | undefined

/** HiGHS (Huangfu & Hall 2018) compiled to WebAssembly, loaded once per process. */
export function highs(): Promise<Highs> {
  instance ??= loadHighs()
  return instance
}

/** A sparse model built row by row, handed to HiGHS as CSR. */
export class RowModel {
  readonly colCost: number[] = []
  readonly colLower: number[] = []
  readonly colUpper: number[] = []
  readonly integer: boolean[] = []
  readonly rowLower: number[] = []
  readonly rowUpper: number[] = []
  private readonly starts: number[] = [0]
  private readonly indices: number[] = []
  private readonly values: number[] = []

  addCol(cost: number, lower: number, upper: number, integer: boolean): number {
    this.colCost.push(cost)
    this.colLower.push(lower)
    this.colUpper.push(upper)
    this.integer.push(integer)
    return this.colCost.length - 1
  }

  /** Adds lower <= Σ coef·x <= upper; the columns of one row must be distinct. */
  addRow(cols: number[], coefs: number[], lower: number, upper: number): void {
    for (let k = 0; k < cols.length; k++) {
      if (coefs[k] === 0) continue
      this.indices.push(cols[k] as number)
      this.values.push(coefs[k] as number)
    }
    this.starts.push(this.indices.length)
    this.rowLower.push(lower)
    this.rowUpper.push(upper)
  }

  get numCols(): number {
    return this.colCost.length
  }

  get numRows(): number {
    return this.rowLower.length
  }

  /** The model as typed arrays, infinite bounds left infinite (for the worker, see highs-worker.ts). */
  plain() {
    return {
      numCols: this.numCols,
      numRows: this.numRows,
      colCost: Float64Array.from(this.colCost),
      colLower: Float64Array.from(this.colLower),
      colUpper: Float64Array.from(this.colUpper),
      rowLower: Float64Array.from(this.rowLower),
      rowUpper: Float64Array.from(this.rowUpper),
      starts: Int32Array.from(this.starts),
      indices: Int32Array.from(this.indices),
      values: Float64Array.from(this.values),
      integrality: Int32Array.from(this.integer, (b) => (b ? 1 : 0)),
    }
  }

  /** The model as HiGHS's `createModel` takes it: `plain()` with infinite bounds as HiGHS's infinity. */
  data(h: Highs, options: { maximize?: boolean; relax?: boolean } = {}) {
    const inf = h.infinity
    const clamp = (v: number) =>
      v === Number.POSITIVE_INFINITY ? inf : v === Number.NEGATIVE_INFINITY ? -inf : v
    const p = this.plain()
    return {
      numCols: p.numCols,
      numRows: p.numRows,
      sense: options.maximize ? h.constants.objectiveSense.maximize : h.constants.objectiveSense.minimize,
      colCost: p.colCost,
      colLower: p.colLower.map(clamp),
      colUpper: p.colUpper.map(clamp),
      rowLower: p.rowLower.map(clamp),
      rowUpper: p.rowUpper.map(clamp),
      matrix: {
        format: 'csr' as const,
        numRows: p.numRows,
        numCols: p.numCols,
        starts: p.starts,
        indices: p.indices,
        values: p.values,
      },
      ...(options.relax ? {} : { integrality: p.integrality }),
    }
  }
}

type Model = ReturnType<Highs['createModel']>

/**
 * Runs a model until it is solved or `deadlineAt` (a performance.now() value) passes. HiGHS's own time
 * limit is checked only between phases, so the simplex and MIP interrupt callbacks enforce the deadline too.
 * Returns false when HiGHS failed (it then has no status, bound or solution to read): its MIP solver reports a
 * solve error after presolve on some small models (a 4-task time-indexed model with no solution, found by a
 * property test), which it solves without presolve, so a failed run is tried once more that way.
 */
export function runUntil(
  h: Highs,
  model: Model,
  deadlineAt: number,
  options: Record<string, unknown> = {},
  /** Stop the MIP as soon as it has a solution with an objective below this. */
  stopBelow = Number.NEGATIVE_INFINITY,
): boolean {
  if (runOnce(h, model, deadlineAt, options, stopBelow)) return true
  if (performance.now() >= deadlineAt) return false
  const solved = runOnce(h, model, deadlineAt, { ...options, presolve: 'off' }, stopBelow)
  model.options.set({ presolve: 'choose' })
  return solved
}

function runOnce(
  h: Highs,
  model: Model,
  deadlineAt: number,
  options: Record<string, unknown>,
  stopBelow: number,
): boolean {
  const seconds = Math.max(0.005, (deadlineAt - performance.now()) / 1000)
  // HiGHS's time limit counts all runs of a model since its clocks were last zeroed.
  model.zeroAllClocks()
  model.options.set({ output_flag: false, time_limit: seconds, ...options })
  const stop = (event: { interrupt(): void }): undefined => {
    if (performance.now() >= deadlineAt) event.interrupt()
  }
  try {
    model.run({
      [h.constants.callbackType.simplexInterrupt]: stop,
      [h.constants.callbackType.ipmInterrupt]: stop,
      [h.constants.callbackType.mipInterrupt]: (event) => {
        if ((event.data.mip_primal_bound ?? Number.POSITIVE_INFINITY) < stopBelow) event.interrupt()
        else stop(event)
      },
    })
    return true
  } catch (error) {
    // Only HiGHS's own failure status; a disposed model or a bad option is a bug and stays one.
    if (error instanceof h.errors.HighsError && error.constructor === h.errors.HighsError) return false
    throw error
  }
}
