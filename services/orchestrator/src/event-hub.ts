import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import type { PipelineTopology, SessionEventEnvelope } from '@psa/agent-pipeline'
import type { Logger } from '@psa/config'
import { RecentEvents } from './recent-events.js'

export type LiveEventListener = (event: SessionEventEnvelope) => void

/**
 * One core-NATS subscription per process on every session's events, fanned out in memory to the open
 * StreamSessionEvents calls. Compared with a JetStream consumer per client this costs the server nothing
 * per client and adds no hop: a published event reaches the listener in one delivery. Core NATS is
 * at-most-once, so listeners treat it as the fast path only and fill any gap from JetStream (see
 * event-stream.ts).
 */
export class SessionEventHub {
  readonly #listeners = new Map<string, Set<LiveEventListener>>()
  readonly #recent = new RecentEvents()
  readonly #prefix: string
  #sub: Subscription | undefined

  constructor(
    private readonly nc: NatsConnection,
    private readonly topology: PipelineTopology,
    private readonly logger: Logger,
  ) {
    this.#prefix = topology.eventSubject('')
  }

  start(): void {
    if (this.#sub) return
    this.#sub = this.nc.subscribe(this.topology.allEventsSubject, {
      callback: (err, msg) => {
        if (err) {
          this.logger.warn({ err }, 'session event subscription error')
          return
        }
        const sessionId = msg.subject.slice(this.#prefix.length)
        this.#recent.add(sessionId, msg.string())
        const listeners = this.#listeners.get(sessionId)
        // Events of sessions nobody here watches are the common case: skip them before parsing.
        if (!listeners) return
        let event: SessionEventEnvelope
        try {
          event = msg.json<SessionEventEnvelope>()
        } catch (err) {
          this.logger.warn({ err, subject: msg.subject }, 'ignoring a session event that is not JSON')
          return
        }
        if (event?.session_id !== sessionId || !Number.isSafeInteger(event.seq)) {
          this.logger.warn({ subject: msg.subject }, 'ignoring a malformed session event')
          return
        }
        for (const listener of listeners) listener(event)
      },
    })
  }

  /** Calls `listener` with every live event of the session until the returned function is called. */
  subscribe(sessionId: string, listener: LiveEventListener): () => void {
    let set = this.#listeners.get(sessionId)
    if (!set) {
      set = new Set()
      this.#listeners.set(sessionId, set)
    }
    set.add(listener)
    return () => {
      const current = this.#listeners.get(sessionId)
      if (!current) return
      current.delete(listener)
      if (current.size === 0) this.#listeners.delete(sessionId)
    }
  }

  /**
   * The session's events heard in the last few seconds, parsed now (anything that is not JSON is left
   * out): at most once, like the live path, so only a complete run of them may stand in for JetStream.
   */
  recentEvents(sessionId: string): unknown[] {
    const heard: unknown[] = []
    for (const json of this.#recent.get(sessionId)) {
      try {
        heard.push(JSON.parse(json))
      } catch {}
    }
    return heard
  }

  /** Listeners registered now (for tests and the shutdown log). */
  get listenerCount(): number {
    let n = 0
    for (const set of this.#listeners.values()) n += set.size
    return n
  }

  /**
   * Resolves with the first live event of the session matching `predicate`, or undefined after `timeoutMs`
   * or when `signal` aborts.
   */
  waitFor(
    sessionId: string,
    predicate: (event: SessionEventEnvelope) => boolean,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<SessionEventEnvelope | undefined> {
    return new Promise((resolve) => {
      const done = (event: SessionEventEnvelope | undefined) => {
        clearTimeout(timer)
        unsubscribe()
        signal?.removeEventListener('abort', onAbort)
        resolve(event)
      }
      const onAbort = () => done(undefined)
      const timer = setTimeout(onAbort, timeoutMs)
      const unsubscribe = this.subscribe(sessionId, (event) => {
        if (predicate(event)) done(event)
      })
      if (signal?.aborted) onAbort()
      else signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  stop(): void {
    this.#sub?.unsubscribe()
    this.#sub = undefined
  }
}
