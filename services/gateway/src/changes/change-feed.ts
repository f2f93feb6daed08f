import type { Database } from '@psa/db'
import type { FastifyBaseLogger } from 'fastify'
import { z } from 'zod'

/** The channel the `private.notify_change()` triggers notify (supabase/migrations). */
export const CHANGES_CHANNEL = 'psa_changes'

/** What a subscriber is told: the tables of its organisation that changed, or `*` after a gap. */
export type ChangeListener = (tables: readonly string[]) => void

const notificationSchema = z.object({ organisation_id: z.uuid(), table: z.string().regex(/^[a-z_]+$/) })

/**
 * One LISTEN connection per gateway process, fanned out to the organisation's subscribers. Notifications of
 * a short window are coalesced per organisation, so an agent writing a plan of a hundred rows over a few
 * statements reaches each open page as one message. After the listen connection drops and comes back,
 * whatever happened in between is unknown: every subscriber is told `*` (refetch everything).
 */
export class ChangeFeed {
  readonly #db: Pick<Database, 'sql'>
  readonly #logger: FastifyBaseLogger
  readonly #coalesceMs: number
  readonly #listeners = new Map<string, Set<ChangeListener>>()
  readonly #pending = new Map<string, Set<string>>()
  #timer: NodeJS.Timeout | undefined
  #listening: Promise<{ unlisten(): Promise<void> }> | undefined
  #connected = false

  constructor(options: { db: Pick<Database, 'sql'>; logger: FastifyBaseLogger; coalesceMs?: number }) {
    this.#db = options.db
    this.#logger = options.logger
    this.#coalesceMs = options.coalesceMs ?? 150
  }

  /** Starts listening (on first use); resolves once the LISTEN is in place. */
  ready(): Promise<void> {
    this.#listening ??= this.#db.sql.listen(
      CHANGES_CHANNEL,
      (payload) => this.#onNotify(payload),
      () => {
        // Called on every (re)connect: after the first one, notifications may have been missed.
        if (this.#connected) this.#broadcast(['*'])
        this.#connected = true
      },
    )
    return this.#listening.then(() => undefined)
  }

  /**
   * Calls `listener` with the organisation's changes until the returned function is called. That function
   * may run more than once (a stream ends both on shutdown and on its socket closing): only the first call
   * counts, and it removes the organisation's entry only if it is still the set it emptied, so a late call
   * cannot drop a set that newer subscribers of the organisation have made since.
   */
  subscribe(organisationId: string, listener: ChangeListener): () => void {
    const set = this.#listeners.get(organisationId) ?? new Set()
    set.add(listener)
    this.#listeners.set(organisationId, set)
    let subscribed = true
    return () => {
      if (!subscribed) return
      subscribed = false
      set.delete(listener)
      if (set.size === 0 && this.#listeners.get(organisationId) === set)
        this.#listeners.delete(organisationId)
    }
  }

  /** Organisations with at least one subscriber (for tests: the map must not outlive its streams). */
  get organisations(): number {
    return this.#listeners.size
  }

  async close(): Promise<void> {
    clearTimeout(this.#timer)
    const listening = this.#listening
    this.#listening = undefined
    if (listening) await (await listening.catch(() => undefined))?.unlisten()
  }

  #onNotify(payload: string): void {
    let parsed: z.infer<typeof notificationSchema>
    try {
      parsed = notificationSchema.parse(JSON.parse(payload))
    } catch (err) {
      this.#logger.warn({ err, payload: payload.slice(0, 200) }, 'ignoring a malformed change notification')
      return
    }
    if (!this.#listeners.has(parsed.organisation_id)) return
    const tables = this.#pending.get(parsed.organisation_id) ?? new Set()
    tables.add(parsed.table)
    this.#pending.set(parsed.organisation_id, tables)
    this.#timer ??= setTimeout(() => this.#flush(), this.#coalesceMs)
  }

  #flush(): void {
    this.#timer = undefined
    const pending = [...this.#pending]
    this.#pending.clear()
    for (const [organisationId, tables] of pending) {
      const sorted = [...tables].sort()
      for (const listener of this.#listeners.get(organisationId) ?? []) listener(sorted)
    }
  }

  #broadcast(tables: readonly string[]): void {
    for (const set of this.#listeners.values()) for (const listener of set) listener(tables)
  }
}
