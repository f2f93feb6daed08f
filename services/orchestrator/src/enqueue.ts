import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import { headers as natsHeaders } from '@nats-io/transport-node'
import {
  type PipelineTopology,
  SessionEventWriter,
  type SessionRow,
  type SessionStore,
  TRACEPARENT_HEADER,
  type WorkItem,
  workItemSchema,
} from '@psa/agent-pipeline'
import type { Logger } from '@psa/config'
import type { AgentTypeName } from '@psa/proto'

export interface EnqueueDeps {
  js: JetStreamClient
  jsm: JetStreamManager
  topology: PipelineTopology
  store: SessionStore
  logger: Logger
}

// Events the orchestrator writes before any worker attempt exists are stored as attempt 0.
export const ADMISSION_ATTEMPT = 0

/**
 * The event writer for a new session's admission event. Opened before the insert's transaction: it reads
 * Postgres, and a second pool connection taken inside that transaction can deadlock a busy pool. Its events
 * are persisted by `close()` after the commit (the row does not exist for other connections before).
 */
export function openAdmissionWriter(
  deps: EnqueueDeps,
  session: { id: string; organisationId: string; agentType: AgentTypeName },
): Promise<SessionEventWriter> {
  return SessionEventWriter.open({
    js: deps.js,
    jsm: deps.jsm,
    topology: deps.topology,
    store: deps.store,
    sessionId: session.id,
    organisationId: session.organisationId,
    agent: session.agentType,
    attempt: ADMISSION_ATTEMPT,
    logger: deps.logger,
    flushIntervalMs: 60_000,
  })
}

export interface EnqueueInput {
  writer: SessionEventWriter
  /** The inserted row, inside its transaction. */
  row: SessionRow
  context: Record<string, unknown>
  userEmail: string | undefined
  /** W3C traceparent the worker continues. */
  traceparent: string
  /** The session's 1-based place in its queue at admission. */
  queuePosition: number
  signal?: AbortSignal
}

/**
 * Queues a session the way SubmitRequest does, inside the transaction that inserts its row: the admission
 * event first (`status_changed queued`, seq 1), then the work item with `Nats-Msg-Id` = session id and the
 * traceparent. A worker can only take the session after its seq 1 exists, so the worker's events always
 * continue after it. If the transaction then fails, the message waits for a row that never appears and the
 * worker drops it.
 */
export async function enqueueSession(deps: EnqueueDeps, input: EnqueueInput): Promise<void> {
  const { row, signal } = input
  signal?.throwIfAborted()
  await input.writer.emit({
    type: 'status_changed',
    data: {
      status: 'queued',
      message: 'Queued',
      queue_position: input.queuePosition,
      attempt: ADMISSION_ATTEMPT,
    },
  })
  const item: WorkItem = workItemSchema.parse({
    v: 1,
    session_id: row.id,
    organisation_id: row.organisation_id,
    user_id: row.user_id,
    ...(input.userEmail ? { user_email: input.userEmail } : {}),
    agent_type: row.agent_type,
    request: row.request,
    context: input.context,
    auto_apply: row.auto_apply,
    parent_session_id: row.parent_session_id,
    submitted_at: row.queued_at.toISOString(),
  })
  const h = natsHeaders()
  h.set(TRACEPARENT_HEADER, input.traceparent)
  signal?.throwIfAborted()
  const subject = deps.topology.requestSubject(row.agent_type as AgentTypeName)
  const ack = await deps.js.publish(subject, JSON.stringify(item), { msgID: row.id, headers: h })
  if (ack.duplicate) {
    // An earlier enqueue of this id published and then rolled back. Its message is still queued (the worker
    // waits for the row), or a worker already gave up on it as missing: then queue it anew.
    const earlier = await deps.jsm.streams
      .getMessage(deps.topology.requestsStream, { seq: ack.seq })
      .catch(() => null)
    if (!earlier) {
      deps.logger.warn({ stream_seq: ack.seq }, 'the earlier message of this id is gone; queueing it again')
      await deps.js.publish(subject, JSON.stringify(item), { msgID: `${row.id}:${Date.now()}`, headers: h })
    }
  }
}
