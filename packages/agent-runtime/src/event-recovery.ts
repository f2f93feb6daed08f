import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import {
  lastStreamSeq,
  type PipelineTopology,
  type SessionEventEnvelope,
  type SessionEventWriter,
  type SessionRow,
  type SessionStore,
  sessionEventEnvelopeSchema,
} from '@psa/agent-pipeline'
import { sql } from '@psa/db'
import { TERMINAL_STATUSES } from '@psa/proto'
import { missingTerminalEvents, recordedOutcome } from './terminal-events.js'

interface RecoveryDeps {
  js: JetStreamClient
  jsm: JetStreamManager
  topology: PipelineTopology
  store: SessionStore
}

/** Every event of a session still held by the events stream, in order (empty when none or aged out). */
export async function readStreamEvents(
  deps: Pick<RecoveryDeps, 'js' | 'jsm' | 'topology'>,
  sessionId: string,
  options: { timeoutMs?: number } = {},
): Promise<SessionEventEnvelope[]> {
  const last = await lastStreamSeq(deps.jsm, deps.topology, sessionId)
  if (last === 0) return []
  const consumer = await deps.js.consumers.get(deps.topology.eventsStream, {
    filter_subjects: deps.topology.eventSubject(sessionId),
  })
  const events: SessionEventEnvelope[] = []
  const messages = await consumer.consume({ max_messages: 500 })
  const timer = setTimeout(() => messages.stop(), options.timeoutMs ?? 10_000)
  try {
    for await (const m of messages) {
      const parsed = sessionEventEnvelopeSchema.safeParse(m.json())
      if (parsed.success) events.push(parsed.data)
      if (m.info.pending === 0) break
    }
  } finally {
    clearTimeout(timer)
    messages.stop()
  }
  return events
}

/** Which of a session's last events its log already holds (a finished session's log may lack some). */
export interface LoggedEnding {
  /** The final result, or the error a failed session ends with. */
  result: boolean
  /** The terminal status change (completed, failed, cancelled). */
  status: boolean
}

export interface RecoveredEvents {
  /** Events JetStream held that Postgres did not (an attempt died between publish and batch insert). */
  backfilled: number
  /** Proposals already announced with a `proposal_created` event by earlier attempts. */
  announcedProposalIds: Set<string>
  /** What of the session's ending is logged, anywhere in the log (not only last: see `missingTerminalEvents`). */
  ending: LoggedEnding
}

/**
 * Makes Postgres hold every event the session published before a crash (events reach JetStream first and
 * Postgres in batches), and reports what earlier attempts already announced, so a restarted attempt neither
 * loses log lines nor announces a proposal twice.
 */
export async function recoverSessionEvents(
  deps: RecoveryDeps,
  session: { id: string; organisation_id: string },
): Promise<RecoveredEvents> {
  const [streamEvents, persistedSeq] = await Promise.all([
    readStreamEvents(deps, session.id),
    deps.store.events.lastSeq(session.id),
  ])
  const missing = streamEvents.filter((e) => e.seq > persistedSeq)
  // Each event is stored with the attempt that wrote it: the attempt of the latest "processing" status.
  let attempt = 0
  const byAttempt = new Map<number, SessionEventEnvelope[]>()
  for (const event of streamEvents) {
    if (event.type === 'status_changed' && event.data.attempt > 0) attempt = event.data.attempt
    if (event.seq > persistedSeq) byAttempt.set(attempt, [...(byAttempt.get(attempt) ?? []), event])
  }
  for (const [eventAttempt, events] of byAttempt) {
    await deps.store.events.append(session.organisation_id, eventAttempt, events)
  }

  // Postgres now holds the stream's events too (and older ones the stream may have aged out).
  const persisted = await deps.store.db.asService(async (tx) => {
    const proposals = await tx
      .selectFrom('agent_logs')
      .select(sql<string>`data -> 'data' ->> 'proposal_id'`.as('proposal_id'))
      .where('session_id', '=', session.id)
      .where('event_type', '=', 'proposal_created')
      .execute()
    const ending = await tx
      .selectFrom('agent_logs')
      .select([
        sql<boolean>`coalesce(bool_or(event_type = 'final_result'
          or (event_type = 'error' and data -> 'data' ->> 'retryable' = 'false')), false)`.as('result'),
        sql<boolean>`coalesce(bool_or(event_type = 'status_changed'
          and data -> 'data' ->> 'status' = any(${[...TERMINAL_STATUSES]}::text[])), false)`.as('status'),
      ])
      .where('session_id', '=', session.id)
      .executeTakeFirstOrThrow()
    return { proposals, ending }
  })
  const announcedProposalIds = new Set<string>(persisted.proposals.map((p) => p.proposal_id).filter(Boolean))
  for (const event of streamEvents) {
    if (event.type === 'proposal_created') announcedProposalIds.add(event.data.proposal_id)
  }
  return { backfilled: missing.length, announcedProposalIds, ending: persisted.ending }
}

/**
 * Ends a finished session's log from its row with whatever of its last events the log lacks (the attempt
 * or the dead letter that finished it may have stopped before publishing them), through a writer from
 * `openWriter`. The one way a log is completed after the fact, so a repair never writes a second final
 * result or terminal status. Returns the number of events written.
 */
export async function completeEventLog(
  deps: RecoveryDeps,
  session: SessionRow,
  openWriter: (session: SessionRow, attempt: number) => Promise<SessionEventWriter>,
): Promise<number> {
  const { ending } = await recoverSessionEvents(deps, session)
  const missing = missingTerminalEvents(recordedOutcome(session), session.attempts, ending)
  if (missing.length === 0) return 0
  const writer = await openWriter(session, session.attempts)
  for (const event of missing) await writer.emit(event)
  await writer.close()
  return missing.length
}
