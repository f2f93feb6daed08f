import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import {
  isTerminalEvent,
  lastStreamSeq,
  type PipelineTopology,
  type SessionEventEnvelope,
  type SessionStore,
  sessionEventEnvelopeSchema,
} from '@psa/agent-pipeline'
import { sql } from '@psa/db'

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

export interface RecoveredEvents {
  /** Events JetStream held that Postgres did not (an attempt died between publish and batch insert). */
  backfilled: number
  /** Proposals already announced with a `proposal_created` event by earlier attempts. */
  announcedProposalIds: Set<string>
  /** The newest event the session has, wherever it was found. */
  lastEvent: SessionEventEnvelope | undefined
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

  const persisted = await deps.store.db.asService(async (tx) => {
    const proposals = await tx
      .selectFrom('agent_logs')
      .select(sql<string>`data -> 'data' ->> 'proposal_id'`.as('proposal_id'))
      .where('session_id', '=', session.id)
      .where('event_type', '=', 'proposal_created')
      .execute()
    const last = await tx
      .selectFrom('agent_logs')
      .select('data')
      .where('session_id', '=', session.id)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst()
    return { proposals, last: last?.data as SessionEventEnvelope | undefined }
  })
  const announcedProposalIds = new Set<string>(persisted.proposals.map((p) => p.proposal_id).filter(Boolean))
  for (const event of streamEvents) {
    if (event.type === 'proposal_created') announcedProposalIds.add(event.data.proposal_id)
  }
  const lastFromStream = streamEvents.at(-1)
  const lastEvent =
    lastFromStream && (!persisted.last || lastFromStream.seq >= persisted.last.seq)
      ? lastFromStream
      : persisted.last
  return { backfilled: missing.length, announcedProposalIds, lastEvent }
}

export function endsWithTerminalEvent(recovered: RecoveredEvents): boolean {
  return recovered.lastEvent !== undefined && isTerminalEvent(recovered.lastEvent)
}
