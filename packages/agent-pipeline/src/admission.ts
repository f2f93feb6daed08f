import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import { headers as natsHeaders } from '@nats-io/transport-node'
import { formatTraceparent, type Logger, type TraceContext } from '@psa/config'
import type { JwtClaims, Membership } from '@psa/db'
import type { AgentTypeName } from '@psa/proto'
import type { AdmissionBatcher } from './admission-batch.js'
import { publishSessionEvent } from './event-writer.js'
import type { SessionEventEnvelope } from './events.js'
import { TRACEPARENT_HEADER, type WorkItem, workItemSchema } from './messages.js'
import type { SessionRow, SessionStore } from './session-store.js'
import type { PipelineTopology } from './topology.js'

export interface AdmissionDeps {
  store: SessionStore
  js: JetStreamClient
  jsm: JetStreamManager
  topology: PipelineTopology
  logger: Logger
  /** Shared by a process's admissions; without one, every admission asks JetStream. */
  lineLengths?: LineLengths
  /** Shared by a process's admissions: concurrent ones commit together. Without one, each on its own. */
  batcher?: AdmissionBatcher
}

/**
 * How many requests of each type wait for a worker, for the place in line an admission reports. JetStream
 * keeps the count per consumer (one request, whatever the queue's length; counting queued rows in Postgres
 * grows with the queue). Asked at most every `maxAgeMs` per type, plus the requests this process admitted
 * since: busy admission costs no extra round trip. Requests admitted meanwhile by other processes, or
 * cancelled but still in the queue, make it approximate; GetQueuePosition is exact.
 */
export class LineLengths {
  readonly #known = new Map<AgentTypeName, { waiting: number; at: number; since: number }>()
  readonly #asking = new Map<AgentTypeName, Promise<number>>()

  constructor(
    private readonly deps: Pick<AdmissionDeps, 'jsm' | 'topology'>,
    private readonly maxAgeMs = 250,
  ) {}

  /** The place in line of a request of `type` about to be queued (not yet published). */
  async placeOfNext(type: AgentTypeName): Promise<number> {
    const known = this.#known.get(type)
    if (!known || performance.now() - known.at >= this.maxAgeMs) await this.#ask(type)
    const current = this.#known.get(type) as { waiting: number; since: number }
    current.since += 1
    return current.waiting + current.since
  }

  #ask(type: AgentTypeName): Promise<number> {
    let asking = this.#asking.get(type)
    if (!asking) {
      asking = this.deps.jsm.consumers
        .info(this.deps.topology.requestsStream, this.deps.topology.consumerName(type))
        .then((info) => {
          this.#known.set(type, { waiting: info.num_pending, at: performance.now(), since: 0 })
          return info.num_pending
        })
        .finally(() => this.#asking.delete(type))
      this.#asking.set(type, asking)
    }
    return asking
  }
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
      event: SessionEventEnvelope
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
 * Publishes a session's work item (message id = session id, `traceparent` header) and its admission event
 * with its place in line, together, and returns the event for the caller to store with the session. A
 * worker cannot act on the work before the admitting transaction commits (it waits for the row), and by
 * then both are acknowledged, so the worker's events always follow seq 1.
 */
export async function enqueueSession(
  deps: AdmissionDeps,
  session: SessionRow,
  work: { context: Record<string, unknown>; trace: TraceContext; userEmail?: string },
): Promise<SessionEventEnvelope> {
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
  const type = session.agent_type as AgentTypeName
  const subject = deps.topology.requestSubject(type)
  const body = JSON.stringify(item)
  const event = admissionEvent(session, await (deps.lineLengths ?? new LineLengths(deps)).placeOfNext(type))
  const [ack] = await Promise.all([
    deps.js.publish(subject, body, { msgID: session.id, headers: h }),
    publishSessionEvent(deps.js, deps.topology, event),
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
  return event
}

/**
 * Admits a user's request: the session row, its admission event and its work item, atomically (see
 * `SessionStore.submit`; with a batcher, together with concurrent admissions, see `submitBatch`). A retried
 * id answers with the existing session and queues nothing.
 */
export async function admit(
  deps: AdmissionDeps,
  claims: JwtClaims,
  request: AdmissionRequest,
  options: {
    maxInFlight: number
    authorize?: (membership: Membership) => void
    /**
     * Aborted when the caller stops waiting: a batch not yet started drops the request, and one in its
     * transaction rolls it back before its work is published (only a commit already sent may still land;
     * a retry with the same id then answers with that session).
     */
    signal?: AbortSignal
  },
): Promise<Admission> {
  const input = {
    id: request.id,
    ...(request.organisationId ? { organisation_id: request.organisationId } : {}),
    agent_type: request.agentType,
    request: request.request,
    context: request.context,
    auto_apply: request.autoApply,
    trace_id: request.trace.traceId,
  }
  const checks = {
    maxInFlight: options.maxInFlight,
    ...(options.authorize ? { authorize: options.authorize } : {}),
    enqueue: (session: SessionRow) => {
      options.signal?.throwIfAborted()
      return enqueueSession(deps, session, workOf(request))
    },
    ...(options.signal ? { signal: options.signal } : {}),
  }
  const result = deps.batcher
    ? await deps.batcher.submit({ claims, input, ...checks })
    : await deps.store.submit(claims, input, checks)
  return result.created ? admitted(result) : result
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
): Promise<Admission> {
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
    (session) => enqueueSession(deps, session, workOf(request)),
  )
  return result.created ? admitted(result) : result
}

function workOf(request: Omit<AdmissionRequest, 'organisationId'>) {
  return {
    context: request.context,
    trace: request.trace,
    ...(request.userEmail ? { userEmail: request.userEmail } : {}),
  }
}

function admitted(result: { session: SessionRow; event: SessionEventEnvelope }) {
  const { event } = result
  const queuePosition = event.type === 'status_changed' ? event.data.queue_position : 0
  return { ...result, created: true as const, queuePosition, lastEventSeq: event.seq }
}
