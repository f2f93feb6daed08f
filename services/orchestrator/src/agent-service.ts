import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import { type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node'
import {
  cancelCommandSchema,
  isTerminalEvent,
  lastStreamSeq,
  type PipelineTopology,
  type SessionEventBody,
  SessionEventWriter,
  type SessionRow,
  SessionStore,
  TRACEPARENT_HEADER,
  toProtoEvent,
  type WorkItem,
  workItemSchema,
} from '@psa/agent-pipeline'
import { formatTraceparent, type Logger, withLogContext } from '@psa/config'
import { AppError } from '@psa/errors'
import {
  type AgentResponse,
  type AgentServiceServer,
  type AgentTypeName,
  agentTypeToProto,
  type SessionStatusName,
  sessionStatusToProto,
} from '@psa/proto'
import type { SessionEventHub } from './event-hub.js'
import { type EventStreamDeps, streamSessionEvents } from './event-stream.js'
import type { OrchestratorMetrics } from './metrics.js'
import { type CallContext, type RpcDeps, serverStream, unary } from './rpc.js'
import { decodePageToken, encodePageToken, toAgentResponse } from './session-response.js'
import {
  cancelRequestSchema,
  listRequestSchema,
  sessionIdRequestSchema,
  streamRequestSchema,
  submitRequestSchema,
  type ValidSubmitRequest,
  validate,
} from './validation.js'

export interface AgentServiceDeps extends RpcDeps {
  store: SessionStore
  nc: NatsConnection
  js: JetStreamClient
  jsm: JetStreamManager
  topology: PipelineTopology
  hub: SessionEventHub
  metrics: OrchestratorMetrics
  logger: Logger
  maxInFlightPerUser: number
  /** How long CancelSession waits for a running session's worker to confirm the cancellation. */
  cancelWaitMs: number
  streams?: Pick<EventStreamDeps, 'statusPollMs' | 'finishedGraceMs'>
}

// The orchestrator writes events while it owns a session's state: at admission and when a queued session
// is cancelled or dead-lettered. Those events are stored as attempt 0 unless a worker attempt exists.
const ADMISSION_ATTEMPT = 0

/** Builds the AgentService implementation. */
export function createAgentService(deps: AgentServiceDeps): AgentServiceServer {
  const { store, js, jsm, topology, hub, logger } = deps

  const lastEventSeq = async (sessionId: string): Promise<number> => {
    const inStream = await lastStreamSeq(jsm, topology, sessionId)
    // JetStream keeps events for a day; Postgres forever.
    return inStream > 0 ? inStream : store.lastPersistedSeq(sessionId)
  }

  const describe = async (row: SessionRow): Promise<AgentResponse> => {
    const [position, seq] = await Promise.all([
      row.status === 'queued' ? store.queuePosition(row).then((p) => p.position) : Promise.resolve(0),
      lastEventSeq(row.id),
    ])
    return toAgentResponse(row, { queuePosition: position, lastEventSeq: seq })
  }

  /** Writes events as the session's event writer (only while the orchestrator owns the session's state). */
  const emit = async (row: SessionRow, bodies: SessionEventBody[]): Promise<number> => {
    const writer = await SessionEventWriter.open({
      js,
      jsm,
      topology,
      store,
      sessionId: row.id,
      organisationId: row.organisation_id,
      agent: row.agent_type,
      attempt: row.attempts || ADMISSION_ATTEMPT,
      logger,
    })
    for (const body of bodies) await writer.emit(body)
    await writer.close()
    return writer.lastSeq
  }

  const submit = async (ctx: CallContext, input: ValidSubmitRequest): Promise<AgentResponse> => {
    const { claims, user } = ctx
    const parent = input.parentSessionId ? await delegatingParent(ctx, input) : undefined
    const sessionId = input.sessionId ?? randomUUID()
    // Independent reads run together: admission latency is mostly round trips.
    const [membership, { depth }] = await Promise.all([
      store.membership(claims, parent?.organisation_id ?? input.organisationId),
      store.queuePosition({ id: sessionId, agent_type: input.type, status: 'queued', queued_at: new Date() }),
    ])
    if (!SessionStore.hasRole(membership, 'member')) {
      throw new AppError('FORBIDDEN', 'Viewers cannot submit agent requests; ask for the member role', {
        details: { organisation_id: membership.organisation_id, role: membership.role },
      })
    }
    if (input.autoApply && !SessionStore.hasRole(membership, 'manager')) {
      throw new AppError(
        'FORBIDDEN',
        'Only managers and above may ask for proposals to be applied automatically',
        {
          details: { organisation_id: membership.organisation_id, role: membership.role },
        },
      )
    }
    const newSession = {
      id: sessionId,
      agent_type: input.type,
      request: input.request,
      context: input.context,
      auto_apply: input.autoApply,
      trace_id: ctx.trace.traceId,
    }
    // Whatever needs Postgres is read before the insert's transaction. Inside it, a second pool connection
    // per submit can deadlock the pool: every connection held by a submit waiting for its user's lock,
    // and the lock holder waiting for a connection.
    const writer = await SessionEventWriter.open({
      js,
      jsm,
      topology,
      store,
      sessionId,
      organisationId: membership.organisation_id,
      agent: input.type,
      attempt: ADMISSION_ATTEMPT,
      logger,
      // Persisted explicitly after the commit: the row does not exist for other connections before.
      flushIntervalMs: 60_000,
    })
    let enqueued = false
    // Runs inside the insert's transaction, just before it commits. The admission event goes out first,
    // then the work: a worker can only take the session after its seq 1 exists, so the worker's events
    // always continue after it (its writer starts from the highest stored seq).
    const enqueue = async (row: SessionRow) => {
      ctx.signal.throwIfAborted()
      await writer.emit({
        type: 'status_changed',
        // Sessions queued before this one and committed: this one is behind all of them.
        data: { status: 'queued', message: 'Queued', queue_position: depth + 1, attempt: ADMISSION_ATTEMPT },
      })
      const item: WorkItem = workItemSchema.parse({
        v: 1,
        session_id: row.id,
        organisation_id: row.organisation_id,
        user_id: row.user_id,
        ...(user.email ? { user_email: user.email } : {}),
        agent_type: row.agent_type,
        request: row.request,
        context: input.context,
        auto_apply: row.auto_apply,
        parent_session_id: row.parent_session_id,
        submitted_at: row.queued_at.toISOString(),
      })
      const h = natsHeaders()
      h.set(TRACEPARENT_HEADER, formatTraceparent(ctx.trace))
      ctx.signal.throwIfAborted()
      const subject = topology.requestSubject(row.agent_type as AgentTypeName)
      const ack = await js.publish(subject, JSON.stringify(item), { msgID: row.id, headers: h })
      if (ack.duplicate) {
        // An earlier submit of this id published and then rolled back. Its message is still queued (the
        // worker waits for the row), or a worker already gave up on it as missing: then queue it anew.
        const earlier = await jsm.streams
          .getMessage(topology.requestsStream, { seq: ack.seq })
          .catch(() => null)
        if (!earlier) {
          logger.warn({ stream_seq: ack.seq }, 'the earlier message of this id is gone; queueing it again')
          await js.publish(subject, JSON.stringify(item), { msgID: `${row.id}:${Date.now()}`, headers: h })
        }
      }
      enqueued = true
    }

    let row: SessionRow
    if (parent) {
      row = await store.submitChild(parent, newSession, enqueue)
      if (row.parent_session_id !== parent.id || row.user_id !== claims.sub) {
        throw new AppError('ALREADY_EXISTS', 'This session id was already used for a different request', {
          details: { session_id: row.id },
        })
      }
    } else {
      const result = await store.submit(
        claims,
        { ...newSession, organisation_id: membership.organisation_id, parent_session_id: null },
        { maxInFlight: deps.maxInFlightPerUser, enqueue },
      )
      row = result.session
    }
    return withLogContext({ session_id: row.id }, async () => {
      if (!enqueued) {
        // An existing id: a retried submit gets the session it created; anything else is a conflict.
        if (row.request !== input.request || row.agent_type !== input.type) {
          throw new AppError('ALREADY_EXISTS', 'This session id was already used for a different request', {
            details: { session_id: row.id },
          })
        }
        logger.info({ status: row.status }, 'submit retried: answering with the existing session')
        return describe(row)
      }
      const [{ position }] = await Promise.all([
        store.queuePosition(row),
        writer.close().catch((err: unknown) => {
          // JetStream holds the event for replay already; only its Postgres copy is missing.
          logger.warn({ err }, 'persisting the admission event failed')
        }),
      ])
      logger.info({ agent_type: row.agent_type, queue_position: position }, 'request queued')
      return toAgentResponse(row, { queuePosition: position, lastEventSeq: writer.lastSeq })
    })
  }

  /**
   * The parent of a delegated session (the orchestrator agent submitting for a specialist): the caller's own
   * running session. Children skip the in-flight limit: the running parent already counts.
   */
  const delegatingParent = async (ctx: CallContext, input: ValidSubmitRequest): Promise<SessionRow> => {
    const parent = await store.get(ctx.claims, input.parentSessionId as string)
    if (parent.user_id !== ctx.claims.sub) {
      throw new AppError('FORBIDDEN', "Only the parent session's requester can delegate work from it", {
        details: { parent_session_id: parent.id },
      })
    }
    if (parent.status !== 'processing') {
      throw new AppError('INVALID_STATE', `The parent session is ${parent.status}, not processing`, {
        details: { parent_session_id: parent.id, status: parent.status },
      })
    }
    if (input.organisationId && input.organisationId !== parent.organisation_id) {
      throw new AppError('VALIDATION_FAILED', "organisation_id must be the parent session's organisation", {
        details: {
          issues: [{ field: 'organisation_id', message: "is not the parent session's organisation" }],
        },
      })
    }
    if (input.type === 'orchestrator') {
      throw new AppError('VALIDATION_FAILED', 'The orchestrator delegates to specialists, not to itself', {
        details: { issues: [{ field: 'type', message: 'must be a specialist for a child session' }] },
      })
    }
    return parent
  }

  const cancel = async (ctx: CallContext, sessionId: string, reason: string): Promise<AgentResponse> => {
    const outcome = await store.cancel(ctx.claims, sessionId, reason)
    if (outcome.kind === 'cancelled') {
      // Still queued, so no worker writes its events: the cancellation event is ours to write.
      const seq = await emit(outcome.session, [
        {
          type: 'status_changed',
          data: {
            status: 'cancelled',
            message: reason,
            queue_position: 0,
            attempt: outcome.session.attempts,
          },
        },
      ])
      logger.info('queued session cancelled')
      return toAgentResponse(outcome.session, { lastEventSeq: seq })
    }
    // Running: the worker that holds it aborts the agent and marks it cancelled. Listen before asking, so a
    // fast worker's answer is not missed.
    const untilDeadline =
      ctx.deadline === undefined ? Number.POSITIVE_INFINITY : ctx.deadline - Date.now() - 250
    const waitMs = Math.max(0, Math.min(deps.cancelWaitMs, untilDeadline))
    const confirmed = waitMs > 0 ? hub.waitFor(sessionId, isTerminalEvent, waitMs, ctx.signal) : undefined
    const command = cancelCommandSchema.parse({ session_id: sessionId, reason, requested_by: ctx.claims.sub })
    deps.nc.publish(topology.cancelSubject, JSON.stringify(command))
    const terminal = await confirmed
    logger.info({ confirmed: terminal !== undefined }, 'cancel requested from the running worker')
    return describe(await store.get(ctx.claims, sessionId))
  }

  return {
    submitRequest: unary(deps, 'SubmitRequest', (ctx, request) =>
      submit(ctx, validate(submitRequestSchema, request)),
    ),

    getSession: unary(deps, 'GetSession', async (ctx, request) => {
      const { sessionId } = validate(sessionIdRequestSchema, request)
      return withLogContext({ session_id: sessionId }, async () =>
        describe(await store.get(ctx.claims, sessionId)),
      )
    }),

    listSessions: unary(deps, 'ListSessions', async (ctx, request) => {
      const input = validate(listRequestSchema, request)
      const after = decodePageToken(input.pageToken)
      const membership = await store.membership(ctx.claims, input.organisationId)
      const rows = await store.list(ctx.claims, {
        organisationId: membership.organisation_id,
        ...(input.mineOnly ? { userId: ctx.claims.sub } : {}),
        ...(input.status ? { status: input.status } : {}),
        ...(input.type ? { agentType: input.type } : {}),
        includeChildren: input.includeChildren,
        pageSize: input.pageSize,
        ...(after ? { after } : {}),
      })
      const page = rows.slice(0, input.pageSize)
      const last = page.at(-1)
      return {
        sessions: await Promise.all(page.map(describe)),
        nextPageToken: rows.length > input.pageSize && last ? encodePageToken(last) : '',
      }
    }),

    cancelSession: unary(deps, 'CancelSession', (ctx, request) => {
      const { sessionId, reason } = validate(cancelRequestSchema, request)
      return withLogContext({ session_id: sessionId }, () => cancel(ctx, sessionId, reason))
    }),

    getQueuePosition: unary(deps, 'GetQueuePosition', async (ctx, request) => {
      const { sessionId } = validate(sessionIdRequestSchema, request)
      const row = await store.get(ctx.claims, sessionId)
      const { position, depth } = await store.queuePosition(row)
      return {
        sessionId: row.id,
        status: sessionStatusToProto(row.status as SessionStatusName),
        type: agentTypeToProto(row.agent_type as AgentTypeName),
        position,
        queueDepth: depth,
      }
    }),

    streamSessionEvents: serverStream(deps, 'StreamSessionEvents', async (ctx, request, call) => {
      const { sessionId, afterSeq } = validate(streamRequestSchema, request)
      await withLogContext({ session_id: sessionId }, async () => {
        const session = await store.get(ctx.claims, sessionId)
        deps.metrics.activeStreams.inc()
        try {
          const end = await streamSessionEvents(
            { hub, js, jsm, topology, store, logger, ...deps.streams },
            {
              session,
              afterSeq,
              signal: ctx.signal,
              reload: () => store.get(ctx.claims, sessionId),
              write: async (event, source) => {
                const writable = call.write(toProtoEvent(event))
                deps.metrics.eventsStreamed.inc({ source })
                if (source === 'live') {
                  deps.metrics.eventDeliveryLag.observe(
                    Math.max(0, Date.now() - Date.parse(event.time)) / 1000,
                  )
                }
                if (!writable) await once(call, 'drain', { signal: ctx.signal })
              },
            },
          )
          logger.debug({ end, after_seq: afterSeq }, 'event stream ended')
        } finally {
          deps.metrics.activeStreams.dec()
        }
      })
    }),
  }
}
