/**
 * The session events the hub heard in the last few seconds, as received (JSON text), per session. A stream
 * that opens just after a worker published (the common case: a client follows its session right after the
 * submit, while the worker's events are still on their way to Postgres) finds the tail Postgres lacks here
 * rather than in an ephemeral JetStream consumer of its own (four requests and a consumer on the server).
 * Core NATS is at-most-once, so whoever reads this uses it only when it holds the whole tail.
 */
export class RecentEvents {
  readonly #bySession = new Map<string, string[]>()
  /** Arrival order, for expiry: oldest first, from `#head` on. */
  readonly #order: { at: number; sessionId: string }[] = []
  #head = 0

  constructor(
    readonly keepMs = 5_000,
    readonly maxEvents = 5_000,
  ) {}

  add(sessionId: string, json: string, now = Date.now()): void {
    this.#expire(now)
    const list = this.#bySession.get(sessionId)
    if (list) list.push(json)
    else this.#bySession.set(sessionId, [json])
    this.#order.push({ at: now, sessionId })
  }

  /** What was heard for the session and not expired yet, oldest first. */
  get(sessionId: string, now = Date.now()): readonly string[] {
    this.#expire(now)
    return this.#bySession.get(sessionId) ?? []
  }

  /** Events held now (for tests). */
  get size(): number {
    return this.#order.length - this.#head
  }

  #expire(now: number): void {
    for (;;) {
      const oldest = this.#order[this.#head]
      if (!oldest || (now - oldest.at <= this.keepMs && this.size <= this.maxEvents)) break
      this.#head++
      const list = this.#bySession.get(oldest.sessionId)
      list?.shift()
      if (list?.length === 0) this.#bySession.delete(oldest.sessionId)
    }
    // Compact once the expired prefix is most of the array (amortised O(1) per event).
    if (this.#head > 1_024 && this.#head * 2 > this.#order.length) {
      this.#order.splice(0, this.#head)
      this.#head = 0
    }
  }
}
