import { AppError } from '@psa/errors'
import type { SessionStore } from './session-store.js'
import { type SubmitItem, type SubmitResult, submitBatch } from './session-store-batch.js'

/** Longer than any healthy batch (a few round trips), shorter than a client waits for a retry to work. */
const STALL_MS = 10_000
/**
 * How long a request waits for company before it starts a batch beside one already in its transaction.
 * Without the wait, under load the first request back after a batch took the free slot alone: most
 * transactions held one admission, each with its round trips, statements and commit (the bench measured
 * 60% of batches of one). A small fraction of a batch's own time; a request with nothing running goes at once.
 */
const GATHER_MS = 2

interface Waiting {
  item: SubmitItem
  resolve(result: SubmitResult): void
  reject(error: unknown): void
}

/**
 * Group commit for admissions: requests that arrive while earlier batches are in their transactions wait
 * and go together in the next one (`submitBatch`), so under load a commit, its fsync and each round trip
 * serve many admissions, while a lone request goes at once. A batch that fails as a whole is admitted item
 * by item through `SessionStore.submit`, so every request gets exactly the answer it would have had alone.
 */
export class AdmissionBatcher {
  readonly #waiting: Waiting[] = []
  #running = 0
  #gathering: NodeJS.Timeout | undefined
  #turnEnding = false

  constructor(
    private readonly store: SessionStore,
    private readonly options: { maxBatch: number; maxConcurrent: number } = {
      maxBatch: 64,
      maxConcurrent: 2,
    },
  ) {}

  submit(item: SubmitItem): Promise<SubmitResult> {
    return new Promise((resolve, reject) => {
      const { signal } = item
      if (signal?.aborted) return reject(signal.reason)
      const waiting: Waiting = { item, resolve, reject }
      // A caller that gave up (Postgres frozen, its deadline passed) leaves the line: admitting it once the
      // database answers again would queue work its client was told was refused.
      signal?.addEventListener(
        'abort',
        () => {
          const at = this.#waiting.indexOf(waiting)
          if (at < 0) return
          this.#waiting.splice(at, 1)
          reject(signal.reason)
        },
        { once: true },
      )
      this.#waiting.push(waiting)
      // At the end of this turn of the event loop rather than now: the requests that arrived together (one
      // SubmitRequests call's items, whose authentication and validation finish in the same turn) start one
      // batch, instead of the first taking a free slot alone and the rest waiting for a second.
      if (!this.#turnEnding) {
        this.#turnEnding = true
        setImmediate(() => {
          this.#turnEnding = false
          this.#pump()
        })
      }
    })
  }

  #pump(gathered = false): void {
    while (this.#running < this.options.maxConcurrent && this.#waiting.length > 0) {
      if (!gathered && this.#running > 0 && this.#waiting.length < this.options.maxBatch) {
        this.#gathering ??= setTimeout(() => {
          this.#gathering = undefined
          this.#pump(true)
        }, GATHER_MS)
        return
      }
      gathered = false
      clearTimeout(this.#gathering)
      this.#gathering = undefined
      const batch = this.#take()
      this.#running++
      void this.#bounded(batch).finally(() => {
        this.#running--
        this.#pump()
      })
    }
  }

  /** The next batch, oldest first; a second request for an id already in it waits for the next one. */
  #take(): Waiting[] {
    const batch: Waiting[] = []
    const ids = new Set<string>()
    for (let i = 0; i < this.#waiting.length && batch.length < this.options.maxBatch; ) {
      const waiting = this.#waiting[i] as Waiting
      if (ids.has(waiting.item.input.id)) {
        i++
        continue
      }
      ids.add(waiting.item.input.id)
      batch.push(waiting)
      this.#waiting.splice(i, 1)
    }
    return batch
  }

  /**
   * A batch whose connection Postgres closed between its statements never settles (postgres.js 3.4.9, see
   * @psa/db connection-loss.ts): past STALL_MS its requests are refused and its slot freed, or two such
   * batches would hold every later admission after Postgres is back.
   */
  #bounded(batch: Waiting[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const stalled = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        const error = new AppError('UNAVAILABLE', 'The database stopped answering; retry in a few seconds', {
          details: { reason: 'database_unavailable' },
        })
        for (const waiting of batch) waiting.reject(error)
        resolve()
      }, STALL_MS)
    })
    return Promise.race([this.#run(batch), stalled]).finally(() => clearTimeout(timer))
  }

  async #run(batch: Waiting[]): Promise<void> {
    let outcomes: Awaited<ReturnType<typeof submitBatch>>
    try {
      outcomes = await submitBatch(
        this.store.db,
        batch.map((w) => w.item),
      )
    } catch {
      await Promise.all(batch.map((waiting) => this.#alone(waiting)))
      return
    }
    const alone: Waiting[] = []
    for (const [i, outcome] of outcomes.entries()) {
      const waiting = batch[i] as Waiting
      if (outcome.ok === 'alone') alone.push(waiting)
      else if (outcome.ok) waiting.resolve(outcome.value)
      else waiting.reject(outcome.error)
    }
    await Promise.all(alone.map((waiting) => this.#alone(waiting)))
  }

  #alone({ item, resolve, reject }: Waiting): Promise<void> {
    if (item.signal?.aborted) {
      reject(item.signal.reason)
      return Promise.resolve()
    }
    return this.store
      .submit(item.claims, item.input, {
        maxInFlight: item.maxInFlight,
        enqueue: item.enqueue,
        ...(item.authorize ? { authorize: item.authorize } : {}),
      })
      .then(resolve, reject)
  }
}
