import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import {
  AdmissionBatcher,
  admit,
  cancelSession,
  isTerminalEvent,
  LineLengths,
  lastStreamSeq,
  type PipelineTopology,
  type SessionRow,
  type SessionStore,
  toProtoEvent,
} from '@psa/agent-pipeline'
import { type Logger, withLogContext } from '@psa/config'
import { AppError } from '@psa/errors'
import {
  type AgentResponse,
  type AgentServiceServer,
  type AgentTypeName,
  agentTypeToProto,
  MAX_SUBMIT_ITEMS,
  type SessionStatusName,
  type SubmitRequestsRequest,
  type SubmitRequestsResponse,
  sessionStatusToProto,
} from '@psa/proto'
import { withAdmissionDeadline } from './admission-deadline.js'
import type { SessionEventHub } from './event-hub.js'
import { type EventStreamDeps, streamSessionEvents } from './event-stream.js'
import { toSubmitError } from './grpc-errors.js'
import type { OrchestratorMetrics } from './metrics.js'
import { batchUnary, type CallContext, type RpcDeps, serverStream, type UnaryResult, unary } from './rpc.js'
import { decodePageToken, encodePageToken, toAgentResponse } from './session-response.js'
import {
  cancelRequestSchema,
  listRequestSchema,
  requireCaller,
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
  /** Whether the queue (NATS) is reachable now; while it is not, submits are refused at once. */
  queueAvailable?: () => boolean
  /** Longest an admission may take before the submit answers UNAVAILABLE (default 2 s). */
  admissionTimeoutMs?: number
}

/** Builds the AgentService implementation. */
export function createAgentService(deps: AgentServiceDeps): AgentServiceServer {
  const { store, js, jsm, topology, hub, logger } = deps
  const admissionDeps = {
    store,
    js,
    jsm,
    topology,
    logger,
    lineLengths: new LineLengths({ jsm, topology }),
    batcher: new AdmissionBatcher(store),
  }

  const lastEventSeq = async (sessionId: string): Promise<number> => {
    const inStream = await lastStreamSeq(jsm, topology, sessionId)
    // JetStream keeps events for a day; Postgres forever.
    return inStream > 0 ? inStream : store.events.lastSeq(sessionId)
  }

  const describe = async (row: SessionRow): Promise<AgentResponse> => {
    const [position, seq] = await Promise.all([
      row.status === 'queued' ? store.queuePosition(row).then((p) => p.position) : Promise.resolve(0),
      lastEventSeq(row.id),
    ])
    return toAgentResponse(row, { queuePosition: position, lastEventSeq: seq })
  }

  const submit = async (ctx: CallContext, input: ValidSubmitRequest): Promise<AgentResponse> => {
    const { claims, user } = ctx
    // Child sessions come only from the orchestrator agent, in-process (child-sessions.ts), where the running
    // parent holds the user's in-flight slot and its auto_apply is inherited. A client naming a parent would
    // otherwise skip the in-flight limit and choose auto_apply itself: one admission path for every caller.
    if (input.parentSessionId) {
      throw new AppError(
        'FORBIDDEN',
        'parent_session_id is set by the orchestrator agent only; submit the request without it',
        { details: { field: 'parent_session_id', reason: 'child_sessions_are_internal' } },
      )
    }
    ctx.signal.throwIfAborted()
    // Without NATS nothing can be queued: say so at once (503 with Retry-After at the gateway) instead of
    // holding the caller for the publish timeout and a per-user lock for as long.
    if (deps.queueAvailable && !deps.queueAvailable()) {
      throw new AppError('UNAVAILABLE', 'The request queue is unavailable; retry in a few seconds', {
        details: { reason: 'queue_unavailable' },
      })
    }
    const admission = await withAdmissionDeadline(ctx.signal, deps.admissionTimeoutMs ?? 2_000, (signal) =>
      admit(
        admissionDeps,
        claims,
        {
          id: input.sessionId ?? randomUUID(),
          ...(input.organisationId ? { organisationId: input.organisationId } : {}),
          agentType: input.type,
          request: input.request,
          context: input.context,
          autoApply: input.autoApply,
          trace: ctx.trace,
          ...(user.email ? { userEmail: user.email } : {}),
        },
        { maxInFlight: deps.maxInFlightPerUser, signal },
      ),
    )
    return withLogContext({ session_id: admission.session.id }, async () => {
      if (!admission.created) return retried(admission.session, input)
      const { session, queuePosition, lastEventSeq } = admission
      logger.info({ agent_type: session.agent_type, queue_position: queuePosition }, 'request queued')
      return toAgentResponse(session, { queuePosition, lastEventSeq })
    })
  }

  /** A retried submit gets the session it created; the same id for anything else is a conflict. */
  const retried = (row: SessionRow, input: ValidSubmitRequest): Promise<AgentResponse> => {
    if (row.request !== input.request || row.agent_type !== input.type) {
      throw new AppError('ALREADY_EXISTS', 'This session id was already used for a different request', {
        details: { session_id: row.id },
      })
    }
    logger.info({ status: row.status }, 'submit retried: answering with the existing session')
    return describe(row)
  }

  const cancel = async (ctx: CallContext, sessionId: string, reason: string): Promise<AgentResponse> => {
    // For a running session the worker confirms with its terminal event: listen before asking, so a fast
    // worker's answer is not missed (a queued session's own cancelled event ends the wait at once).
    const untilDeadline =
      ctx.deadline === undefined ? Number.POSITIVE_INFINITY : ctx.deadline - Date.now() - 250
    const waitMs = Math.max(0, Math.min(deps.cancelWaitMs, untilDeadline))
    const stopWaiting = new AbortController()
    ctx.signal.addEventListener('abort', () => stopWaiting.abort(), { once: true })
    const confirmed =
      waitMs > 0 ? hub.waitFor(sessionId, isTerminalEvent, waitMs, stopWaiting.signal) : undefined
    try {
      const outcome = await cancelSession({ ...admissionDeps, nc: deps.nc }, ctx.claims, sessionId, reason)
      if (outcome.kind === 'cancelled') {
        logger.info('queued session cancelled')
        return toAgentResponse(outcome.session, { lastEventSeq: outcome.lastEventSeq ?? 0 })
      }
      const terminal = await confirmed
      logger.info({ confirmed: terminal !== undefined }, 'cancel requested from the running worker')
      return describe(await store.get(ctx.claims, sessionId))
    } finally {
      stopWaiting.abort()
    }
  }

  return {
    submitRequest: unary(deps, 'SubmitRequest', (ctx, request) =>
      submit(ctx, requireCaller(validate(submitRequestSchema, request), ctx.claims.sub)),
    ),

    submitRequests: batchUnary(
      deps,
      'SubmitRequests',
      {
        maxItems: MAX_SUBMIT_ITEMS,
        items: (request: SubmitRequestsRequest) => request.items,
        respond: (results: UnaryResult<AgentResponse>[]): SubmitRequestsResponse => ({
          outcomes: results.map((result) =>
            'error' in result
              ? { outcome: { $case: 'error' as const, value: toSubmitError(result.error) } }
              : { outcome: { $case: 'response' as const, value: result.response } },
          ),
        }),
      },
      (ctx, request) => submit(ctx, requireCaller(validate(submitRequestSchema, request), ctx.claims.sub)),
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
        organisationId: membership.organisationId,
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
