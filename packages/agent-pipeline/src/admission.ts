import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import { headers as natsHeaders } from '@nats-io/transport-node'
import { formatTraceparent, type Logger, type TraceContext } from '@psa/config'
import type { JwtClaims } from '@psa/db'
import type { AgentTypeName } from '@psa/proto'
import { publishSessionEvent } from './event-writer.js'
import type { SessionEventEnvelope } from './events.js'
import { TRACEPARENT_HEADER, type WorkItem, workItemSchema } from './messages.js'
import type { Membership, SessionRow, SessionStore } from './session-store.js'
import type { PipelineTopology } from './topology.js'

export interface AdmissionDeps {
  store: SessionStore
  js: JetStreamClient
  jsm: JetStreamManager
  topology: PipelineTopology
  logger: Logger
}

export interface AdmissionRequest {
  id: string
  /** The organisation to act in; default the user's only (or first) one. */
  organisationId?: string
  agentType: AgentTypeName
  request: string
  context: Record<string, unknown>
  autoApply: boolean
  trace: TraceContext
  /** Carried to the worker, which acts with the user's claims. */
  userEmail?: string
}

export type Admission =
  | {
      created: true
      session: SessionRow
      membership: Membership
      queuePosition: number
      lastEventSeq: number
    }
  | { created: false; session: SessionRow }

/** A session's first event: queued, with its place in line. The admitting side always writes seq 1. */
export function admissionEvent(session: SessionRow, queuePosition: number): SessionEventEnvelope {
  return {
    session_id: session.id,
    seq: 1,
    time: new Date().toISOString(),
    agent: session.agent_type,
    type: 'status_changed',
    data: { status: 'queued', message: 'Queued', queue_position: queuePosition, attempt: 0 },
  }
}

/**
 * Publishes a session's admission event and its work item (message id = session id, `traceparent`
 * header). Both go out together: a worker cannot act on the work before the admitting transaction commits
 * (it waits for the row), and by then both are acknowledged, so the worker's events always follow seq 1.
 */
export async function enqueueSession(
  deps: AdmissionDeps,
  session: SessionRow,
  event: SessionEventEnvelope,
  work: { context: Record<string, unknown>; trace: TraceContext; userEmail?: string },
): Promise<void> {
  const item: WorkItem = workItemSchema.parse({
    v: 1,
    session_id: session.id,
    organisation_id: session.organisation_id,
    user_id: session.user_id,
    ...(work.userEmail ? { user_email: work.userEmail } : {}),
    agent_type: session.agent_type,
    request: session.request,
    context: work.context,
    auto_apply: session.auto_apply,
    parent_session_id: session.parent_session_id,
    submitted_at: session.queued_at.toISOString(),
  })
  const h = natsHeaders()
  h.set(TRACEPARENT_HEADER, formatTraceparent(work.trace))
  const subject = deps.topology.requestSubject(session.agent_type as AgentTypeName)
  const body = JSON.stringify(item)
  const [, ack] = await Promise.all([
    publishSessionEvent(deps.js, deps.topology, event),
    deps.js.publish(subject, body, { msgID: session.id, headers: h }),
  ])
  if (ack.duplicate) {
    // An earlier admission of this id published and then rolled back. Its message is still queued (the
    // worker waits for the row), or a worker already gave up on it as missing: then queue it anew.
    const earlier = await deps.jsm.streams
      .getMessage(deps.topology.requestsStream, { seq: ack.seq })
      .catch(() => null)
    if (!earlier) {
      deps.logger.warn({ stream_seq: ack.seq }, 'the earlier message of this id is gone; queueing it again')
      await deps.js.publish(subject, body, { msgID: `${session.id}:${Date.now()}`, headers: h })
    }
  }
}

/**
 * Admits a user's request: the session row, its admission event and its work item, atomically (see
 * `SessionStore.submit`). A retried id answers with the existing session and queues nothing.
 */
export async function admit(
  deps: AdmissionDeps,
  claims: JwtClaims,
  request: AdmissionRequest,
  options: { maxInFlight: number; authorize?: (membership: Membership) => void },
): Promise<Admission> {
  const result = await deps.store.submit(
    claims,
    {
      id: request.id,
      ...(request.organisationId ? { organisation_id: request.organisationId } : {}),
      agent_type: request.agentType,
      request: request.request,
      context: request.context,
      auto_apply: request.autoApply,
      trace_id: request.trace.traceId,
    },
    {
      maxInFlight: options.maxInFlight,
      ...(options.authorize ? { authorize: options.authorize } : {}),
      admissionEvent,
      enqueue: (session, event) =>
        enqueueSession(deps, session, event, {
          context: request.context,
          trace: request.trace,
          ...(request.userEmail ? { userEmail: request.userEmail } : {}),
        }),
    },
  )
  if (!result.created) return result
  return { ...result, lastEventSeq: result.event.seq }
}

/**
 * Admits a specialist's session delegated by the orchestrator agent: inserted by the service on behalf of
 * the running parent's user, in its organisation (users cannot create child sessions), outside the user's
 * in-flight limit (the parent already counts), with the same admission event and work item. A known id
 * answers with that session (a restarted parent re-attaching to its child).
 */
export async function admitChild(
  deps: AdmissionDeps,
  parent: SessionRow,
  request: Omit<AdmissionRequest, 'organisationId'>,
): Promise<
  | { created: true; session: SessionRow; queuePosition: number; lastEventSeq: number }
  | { created: false; session: SessionRow }
> {
  const result = await deps.store.submitChild(
    parent,
    {
      id: request.id,
      agent_type: request.agentType,
      request: request.request,
      context: request.context,
      auto_apply: request.autoApply,
      trace_id: request.trace.traceId,
    },
    {
      admissionEvent,
      enqueue: (session, event) =>
        enqueueSession(deps, session, event, {
          context: request.context,
          trace: request.trace,
          ...(request.userEmail ? { userEmail: request.userEmail } : {}),
        }),
    },
  )
  return result.created ? { ...result, lastEventSeq: 1 } : result
}
