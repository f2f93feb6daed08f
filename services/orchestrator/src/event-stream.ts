import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import {
  isTerminalEvent,
  type PipelineTopology,
  type SessionEventEnvelope,
  type SessionRow,
  type SessionStore,
} from '@psa/agent-pipeline'
import type { Logger } from '@psa/config'
import { isTerminalStatus } from '@psa/proto'
import type { SessionEventHub } from './event-hub.js'
import { lastStoredEvent, parseStoredEvent, readJetStreamEvents } from './jetstream-events.js'

export interface EventStreamDeps {
  hub: SessionEventHub
  js: JetStreamClient
  jsm: JetStreamManager
  topology: PipelineTopology
  store: SessionStore
  logger: Logger
  /** While following live events, how often the session's status is re-read (a stream must end even if
   * its terminal event was never written, e.g. after a worker crash). */
  statusPollMs?: number
  /** How long a finished session's terminal event may take to show up before the stream ends without it. */
  finishedGraceMs?: number
}

export type EventSource = 'replay' | 'live'
export type StreamEnd = 'terminal' | 'finished' | 'aborted'

export interface StreamSessionEventsOptions {
  /** The session as the caller read it just before (its status at the start of the stream). */
  session: SessionRow
  afterSeq: number
  signal: AbortSignal
  /** Re-reads the session (as the caller), for its status. */
  reload: () => Promise<SessionRow>
  /** Sends one event to the client; resolves when the client can take more. */
  write: (event: SessionEventEnvelope, source: EventSource) => Promise<void>
}

const PAGE = 500

/**
 * The events `afterSeq < seq <= untilSeq` as the hub heard them lately, if it heard every one (valid, in
 * order; the last one heard of a seq wins, as a retried publish is heard twice); otherwise undefined.
 */
function heardTail(
  hub: SessionEventHub,
  sessionId: string,
  afterSeq: number,
  untilSeq: number,
  logger: Logger,
): SessionEventEnvelope[] | undefined {
  const bySeq = new Map<number, SessionEventEnvelope>()
  for (const data of hub.recentEvents(sessionId)) {
    const seq = (data as { seq?: unknown } | null)?.seq
    if (typeof seq !== 'number' || seq <= afterSeq || seq > untilSeq) continue
    const event = parseStoredEvent(data, sessionId, logger)
    if (event) bySeq.set(event.seq, event)
  }
  if (bySeq.size !== untilSeq - afterSeq) return undefined
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq)
}

/**
 * Sends a session's events with seq > afterSeq to one client, in order, each once: first what is stored
 * (Postgres, then the JetStream tail Postgres has not caught up with: as the hub heard it lately when it
 * heard all of it, else read from JetStream), then live events from the process-wide hub. The hub
 * listener is registered before the replay starts, so nothing published meanwhile is missed; anything the
 * at-most-once live path loses shows up as a gap and is filled from JetStream (a
 * writer publishes event n+1 only after JetStream stored n, so whatever is missing there is lost for good
 * and skipped). Ends after the terminal event, when the session finished without one, or on abort.
 */
export async function streamSessionEvents(
  deps: EventStreamDeps,
  options: StreamSessionEventsOptions,
): Promise<StreamEnd> {
  const { hub, js, jsm, topology, store, logger } = deps
  const { session, signal, write } = options
  const statusPollMs = deps.statusPollMs ?? 15_000
  const finishedGraceMs = deps.finishedGraceMs ?? 2_000
  let cursor = options.afterSeq
  let cursorTime: string | undefined
  const live = new Map<number, SessionEventEnvelope>()
  let wake: (() => void) | undefined
  const wakeUp = () => {
    const resolve = wake
    wake = undefined
    resolve?.()
  }

  const unsubscribe = hub.subscribe(session.id, (event) => {
    if (event.seq <= cursor) return
    live.set(event.seq, event)
    wakeUp()
  })
  signal.addEventListener('abort', wakeUp)

  /** Writes the event if it is the next one; true when it ended the session. */
  const deliver = async (event: SessionEventEnvelope, source: EventSource): Promise<boolean> => {
    if (event.seq <= cursor) return false
    if (event.seq !== cursor + 1) {
      logger.warn(
        { session_id: session.id, expected_seq: cursor + 1, seq: event.seq },
        'session events missing from every store; continuing after the gap',
      )
    }
    cursor = event.seq
    cursorTime = event.time
    await write(event, source)
    return isTerminalEvent(event)
  }

  const deliverAll = async (events: readonly SessionEventEnvelope[], source: EventSource) => {
    for (const event of events) {
      if (signal.aborted) return false
      if (await deliver(event, source)) return true
    }
    return false
  }

  /**
   * Stored events after the cursor up to `untilSeq` (default: the newest stored one). True when the
   * session's terminal event has been delivered, or was stored at or before the cursor already.
   */
  const replayStored = async (untilSeq?: number): Promise<boolean> => {
    let last = untilSeq ?? 0
    if (untilSeq === undefined) {
      const newest = await lastStoredEvent({ jsm, topology, store, sessionId: session.id, logger })
      if (newest && newest.seq <= cursor) return isTerminalEvent(newest)
      last = newest?.seq ?? 0
    }
    if (untilSeq === undefined || cursor < untilSeq) {
      for (;;) {
        const page = (await store.events.after(null, session.id, cursor, PAGE))
          .map((data) => parseStoredEvent(data, session.id, logger))
          .filter(
            (e): e is SessionEventEnvelope =>
              e !== undefined && (untilSeq === undefined || e.seq <= untilSeq),
          )
        if (await deliverAll(page, 'replay')) return true
        if (page.length < PAGE || signal.aborted) break
      }
    }
    if (last <= cursor || signal.aborted) return false
    const tail =
      heardTail(hub, session.id, cursor, last, logger) ??
      (await readJetStreamEvents({
        js,
        topology,
        sessionId: session.id,
        afterSeq: cursor,
        untilSeq: last,
        ...(cursorTime ? { startTimeHint: cursorTime } : {}),
        logger,
      }))
    return deliverAll(tail, 'replay')
  }

  const sessionFinished = async (): Promise<boolean> => {
    const row = await options.reload()
    return isTerminalStatus(row.status)
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined
        resolve()
      }, ms)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })

  try {
    if (await replayStored()) return 'terminal'
    // The row the caller read a moment ago, rather than a read of its own: a session that finished since
    // with its terminal event is ended by that event (the hub was listening before the replay); one that
    // finished without it (its worker died) is found by the first status poll.
    let finishedAt: number | undefined = isTerminalStatus(session.status) ? Date.now() : undefined
    let nextPoll = Date.now() + statusPollMs
    for (;;) {
      if (signal.aborted) return 'aborted'
      for (let next = live.get(cursor + 1); next; next = live.get(cursor + 1)) {
        live.delete(next.seq)
        if (await deliver(next, 'live')) return 'terminal'
        if (signal.aborted) return 'aborted'
      }
      for (const seq of live.keys()) if (seq <= cursor) live.delete(seq)
      if (live.size > 0) {
        // A gap before the oldest live event: JetStream (or Postgres) has what the live path dropped.
        const first = Math.min(...live.keys())
        if (await replayStored(first - 1)) return 'terminal'
        if (cursor < first - 1) {
          logger.warn(
            { session_id: session.id, from_seq: cursor + 1, to_seq: first - 1 },
            'session events missing from every store; continuing after the gap',
          )
          cursor = first - 1
        }
        continue
      }
      const now = Date.now()
      if (finishedAt !== undefined) {
        if (now - finishedAt >= finishedGraceMs) {
          // Last look at the stores before giving up on a terminal event that was never written.
          if (await replayStored()) return 'terminal'
          logger.warn(
            { session_id: session.id, last_seq: cursor },
            'session finished without a terminal event',
          )
          return 'finished'
        }
        await sleep(finishedGraceMs - (now - finishedAt))
        continue
      }
      if (now >= nextPoll) {
        nextPoll = now + statusPollMs
        if (await sessionFinished()) finishedAt = Date.now()
        continue
      }
      await sleep(nextPoll - now)
    }
  } finally {
    unsubscribe()
    signal.removeEventListener('abort', wakeUp)
  }
}
