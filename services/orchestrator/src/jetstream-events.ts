import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream'
import {
  type PipelineTopology,
  type SessionEventEnvelope,
  type SessionStore,
  sessionEventEnvelopeSchema,
} from '@psa/agent-pipeline'
import type { Logger } from '@psa/config'

/**
 * Writers stamp events with their own clock and JetStream stores them with the server's, so a start time
 * taken from an event is moved back by this much: reading a few extra events is cheap, missing one is not.
 */
const CLOCK_SKEW_MARGIN_MS = 60_000

/** Parses one stored event; undefined (and a log line) for anything that is not a valid event. */
export function parseStoredEvent(
  data: unknown,
  sessionId: string,
  logger: Logger,
): SessionEventEnvelope | undefined {
  const parsed = sessionEventEnvelopeSchema.safeParse(data)
  if (parsed.success && parsed.data.session_id === sessionId) return parsed.data
  logger.warn(
    {
      session_id: sessionId,
      issues: parsed.success ? 'session id mismatch' : parsed.error.issues.slice(0, 3),
    },
    'skipping a stored session event that is not valid',
  )
  return undefined
}

/**
 * The session's events with `afterSeq < seq <= untilSeq` held by the events stream, in order, read with an
 * ephemeral ordered consumer filtered on the session's subject. `startTimeHint` (the time of an event at or
 * before `afterSeq`) lets the consumer skip what came before it. Stops at `untilSeq`, at the end of the
 * stream, or after `timeoutMs`, whichever comes first.
 */
export async function readJetStreamEvents(options: {
  js: JetStreamClient
  topology: PipelineTopology
  sessionId: string
  afterSeq: number
  untilSeq: number
  startTimeHint?: string
  timeoutMs?: number
  logger: Logger
}): Promise<SessionEventEnvelope[]> {
  const { js, topology, sessionId, afterSeq, untilSeq, logger } = options
  if (untilSeq <= afterSeq) return []
  const hint = options.startTimeHint ? Date.parse(options.startTimeHint) : Number.NaN
  const consumer = await js.consumers.get(topology.eventsStream, {
    filter_subjects: topology.eventSubject(sessionId),
    ...(Number.isFinite(hint)
      ? { opt_start_time: new Date(hint - CLOCK_SKEW_MARGIN_MS).toISOString() }
      : { deliver_policy: DeliverPolicy.All }),
    inactive_threshold: 30_000,
  })
  const events: SessionEventEnvelope[] = []
  try {
    const info = await consumer.info(true)
    if (info.num_pending === 0) return events
    const messages = await consumer.consume({ max_messages: 256 })
    const timer = setTimeout(() => messages.stop(), options.timeoutMs ?? 5_000)
    try {
      for await (const msg of messages) {
        let data: unknown
        try {
          data = msg.json()
        } catch {
          data = undefined
        }
        const event = parseStoredEvent(data, sessionId, logger)
        if (event && event.seq > afterSeq && event.seq <= untilSeq) events.push(event)
        if ((event && event.seq >= untilSeq) || msg.info.pending === 0) break
      }
    } finally {
      clearTimeout(timer)
      messages.stop()
    }
  } finally {
    // Ordered consumers expire on their own (inactive_threshold); deleting now just frees the server sooner.
    void consumer.delete().catch(() => {})
  }
  events.sort((a, b) => a.seq - b.seq)
  return events.filter((e, i) => i === 0 || e.seq !== events[i - 1]?.seq)
}

/** The session's newest stored event: JetStream's last on its subject, else (aged out) Postgres's last. */
export async function lastStoredEvent(options: {
  jsm: JetStreamManager
  topology: PipelineTopology
  store: SessionStore
  sessionId: string
  logger: Logger
}): Promise<SessionEventEnvelope | undefined> {
  const { jsm, topology, store, sessionId, logger } = options
  const msg = await jsm.streams
    .getMessage(topology.eventsStream, { last_by_subj: topology.eventSubject(sessionId) })
    .catch((err: unknown) => {
      if (/no message found|not found/i.test((err as Error).message)) return null
      throw err
    })
  if (msg) {
    let data: unknown
    try {
      data = msg.json()
    } catch {
      data = undefined
    }
    const event = parseStoredEvent(data, sessionId, logger)
    if (event) return event
  }
  const seq = await store.events.lastSeq(sessionId)
  if (seq === 0) return undefined
  const [event] = await store.events.after(null, sessionId, seq - 1, 1)
  return event ? parseStoredEvent(event, sessionId, logger) : undefined
}
