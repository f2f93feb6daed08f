import type {
  handleServerStreamingCall,
  handleUnaryCall,
  Metadata,
  ServerUnaryCall,
  ServerWritableStream,
} from '@grpc/grpc-js'
import type { AccessTokenVerifier, AuthorizationValue, VerifiedUser } from '@psa/auth'
import {
  childTraceContext,
  type Logger,
  type TraceContext,
  traceLogFields,
  withLogContext,
} from '@psa/config'
import type { JwtClaims } from '@psa/db'
import { AppError } from '@psa/errors'
import type { CallerLimits } from './caller-limits.js'
import { type GrpcStatusError, statusName, toGrpcError } from './grpc-errors.js'
import { assertDecoded } from './message-decoding.js'
import type { OrchestratorMetrics } from './metrics.js'

export interface RpcDeps {
  verifier: AccessTokenVerifier
  logger: Logger
  metrics: OrchestratorMetrics
  /** Aborted when the server begins shutting down: open streams end so clients resume elsewhere. */
  shutdownSignal: AbortSignal
  /** Per-user call rate and open-stream caps (none: unlimited, for tests that measure other things). */
  limits?: CallerLimits
}

/** Who is calling and under which trace, for one RPC. */
export interface CallContext {
  method: string
  user: VerifiedUser
  /** The verified token's claims, as Postgres gets them for RLS. */
  claims: JwtClaims
  trace: TraceContext
  /** Aborted when the client cancels, the deadline passes, or (streams) the server shuts down. */
  signal: AbortSignal
  /** The caller's deadline (epoch ms), if it set one. */
  deadline: number | undefined
}

type ServerSurfaceCall = Pick<ServerUnaryCall<unknown, unknown>, 'on' | 'off' | 'getDeadline' | 'metadata'>

// setTimeout's ceiling; deadlines further away are treated as none.
const MAX_TIMER_MS = 2 ** 31 - 1

function firstString(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0]
  return typeof value === 'string' ? value : undefined
}

function deadlineOf(call: ServerSurfaceCall): number | undefined {
  const deadline = call.getDeadline()
  const at = deadline instanceof Date ? deadline.getTime() : deadline
  return Number.isFinite(at) ? at : undefined
}

/** One AbortSignal for everything that ends a call early, with the error the caller should see. */
function callSignal(
  call: ServerSurfaceCall,
  shutdown?: AbortSignal,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController()
  const abort = (reason: AppError) => {
    if (!controller.signal.aborted) controller.abort(reason)
  }
  const onCancelled = () => abort(new AppError('CANCELLED', 'The client cancelled the call'))
  call.on('cancelled', onCancelled)
  let timer: NodeJS.Timeout | undefined
  const deadline = deadlineOf(call)
  const remaining = deadline === undefined ? undefined : deadline - Date.now()
  if (remaining !== undefined && remaining < MAX_TIMER_MS) {
    const expire = () =>
      abort(new AppError('DEADLINE_EXCEEDED', 'The deadline passed before the call finished'))
    if (remaining <= 0) expire()
    else timer = setTimeout(expire, remaining)
  }
  const onShutdown = () =>
    abort(
      new AppError('UNAVAILABLE', 'The server is shutting down; call again to resume where you left off', {
        details: { reason: 'shutting_down' },
      }),
    )
  if (shutdown?.aborted) onShutdown()
  else shutdown?.addEventListener('abort', onShutdown, { once: true })
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer)
      call.off('cancelled', onCancelled)
      shutdown?.removeEventListener('abort', onShutdown)
    },
  }
}

/** The error to report: the reason the call was aborted wins over whatever the abort made fail. */
function failure(err: unknown, signal: AbortSignal): unknown {
  return signal.aborted && signal.reason instanceof AppError ? signal.reason : err
}

async function authenticate(
  deps: RpcDeps,
  authorization: AuthorizationValue,
): Promise<{ user: VerifiedUser; claims: JwtClaims }> {
  const user = await deps.verifier.verifyAuthorization(authorization)
  // Postgres gets the token's claims exactly as signed (what PostgREST does), so RLS reads what it expects.
  const claims = { ...user.claims, sub: user.userId, role: user.role } as JwtClaims
  return { user, claims }
}

interface Outcome {
  code: number
  appError?: AppError
  userId?: string
}

function finish(deps: RpcDeps, method: string, started: number, outcome: Outcome): void {
  const seconds = (performance.now() - started) / 1000
  const code = statusName(outcome.code)
  deps.metrics.rpcs.inc({ method, code })
  deps.metrics.rpcDuration.observe({ method }, seconds)
  if (method === 'SubmitRequest' || method === 'SubmitRequests')
    deps.metrics.admission.observe({ code }, seconds)
  const fields = {
    rpc: method,
    grpc_code: code,
    duration_ms: Math.round(seconds * 1000),
    ...(outcome.userId ? { user_id: outcome.userId } : {}),
  }
  const err = outcome.appError
  if (!err) deps.logger.info(fields, 'rpc finished')
  else if (err.code === 'INTERNAL' || err.code === 'UNAVAILABLE') {
    deps.logger.error({ ...fields, err, cause: err.cause, error_code: err.code }, 'rpc failed')
  } else {
    deps.logger.info(
      { ...fields, error_code: err.code, error: err.message, details: err.details },
      'rpc refused',
    )
  }
}

function traceFor(call: ServerSurfaceCall): TraceContext {
  return childTraceContext(firstString(call.metadata, 'traceparent'))
}

/** What one unary request brings besides its message: the call's, or a batch item's. */
interface UnaryInput<Req> {
  authorization: AuthorizationValue
  traceparent: string | undefined
  signal: AbortSignal
  deadline: number | undefined
  request: Req
}

export type UnaryResult<Res> = { response: Res } | { error: GrpcStatusError }

/**
 * Runs one unary request: trace context from `traceparent` (or a new trace), every log line inside carrying
 * trace_id/span_id/user_id, the caller authenticated before the handler runs, and every failure mapped to
 * a gRPC status with the error convention (never UNKNOWN). Answers through `respond`, then logs and counts
 * it as one call of `method`.
 */
function runUnary<Req, Res>(
  deps: RpcDeps,
  method: string,
  input: UnaryInput<Req>,
  handler: (ctx: CallContext, request: Req) => Promise<Res>,
  respond: (result: UnaryResult<Res>) => void,
): Promise<void> {
  const started = performance.now()
  const trace = childTraceContext(input.traceparent)
  const { signal } = input
  return withLogContext({ ...traceLogFields(trace), rpc: method }, async () => {
    const outcome: Outcome = { code: 0 }
    try {
      const { user, claims } = await authenticate(deps, input.authorization)
      outcome.userId = user.userId
      deps.limits?.take(user.userId)
      assertDecoded(input.request)
      const response = await withLogContext({ user_id: user.userId }, () =>
        handler({ method, user, claims, trace, signal, deadline: input.deadline }, input.request),
      )
      signal.throwIfAborted()
      respond({ response })
    } catch (err) {
      const { error, appError } = toGrpcError(failure(err, signal))
      outcome.code = error.code
      outcome.appError = appError
      respond({ error })
    } finally {
      finish(deps, method, started, outcome)
    }
  })
}

/** A unary handler with `runUnary`'s guarantees. */
export function unary<Req, Res>(
  deps: RpcDeps,
  method: string,
  handler: (ctx: CallContext, request: Req) => Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const { signal, dispose } = callSignal(call)
    const input = {
      authorization: call.metadata.get('authorization'),
      traceparent: firstString(call.metadata, 'traceparent'),
      signal,
      deadline: deadlineOf(call),
      request: call.request,
    }
    void runUnary(deps, method, input, handler, (result) => {
      dispose()
      if ('error' in result) callback(result.error)
      else callback(null, result.response)
    })
  }
}

/** A batch item: its message, and the token and trace a call of its own would carry as metadata. */
export interface BatchItem<Req> {
  request: Req | undefined
  authorization: string
  traceparent: string
}

/**
 * A unary handler for a batch of requests (SubmitRequests): each item runs as its own `runUnary` under the
 * call's signal and deadline, authenticated with its own token, logged and counted as a call of `method`,
 * and answered on its own; the call itself fails only when it carries no items or too many.
 */
export function batchUnary<BatchReq, Req, Res, Out>(
  deps: RpcDeps,
  method: string,
  options: {
    maxItems: number
    items: (request: BatchReq) => readonly BatchItem<Req>[]
    respond: (results: UnaryResult<Res>[]) => Out
  },
  handler: (ctx: CallContext, request: Req) => Promise<Res>,
): handleUnaryCall<BatchReq, Out> {
  return (call, callback) => {
    let items: readonly BatchItem<Req>[]
    try {
      assertDecoded(call.request)
      items = options.items(call.request)
      if (items.length === 0 || items.length > options.maxItems) {
        throw new AppError('VALIDATION_FAILED', `Send 1 to ${options.maxItems} items`, {
          details: { issues: [{ field: 'items', message: `1 to ${options.maxItems} items` }] },
        })
      }
    } catch (err) {
      callback(toGrpcError(err).error)
      return
    }
    const { signal, dispose } = callSignal(call)
    const deadline = deadlineOf(call)
    const results: UnaryResult<Res>[] = new Array(items.length)
    let pending = items.length
    items.forEach((item, i) => {
      const input = {
        authorization: item.authorization,
        traceparent: item.traceparent || undefined,
        signal,
        deadline,
        // A missing message decodes as the empty request, as SubmitRequest's would.
        request: (item.request ?? {}) as Req,
      }
      void runUnary(deps, method, input, handler, (result) => {
        results[i] = result
        if (--pending > 0) return
        dispose()
        callback(null, options.respond(results))
      })
    })
  }
}

/** A server-streaming handler with the same guarantees; the handler writes, this ends the call. */
export function serverStream<Req, Res>(
  deps: RpcDeps,
  method: string,
  handler: (ctx: CallContext, request: Req, call: ServerWritableStream<Req, Res>) => Promise<void>,
): handleServerStreamingCall<Req, Res> {
  return (call) => {
    const started = performance.now()
    const trace = traceFor(call)
    const { signal, dispose } = callSignal(call, deps.shutdownSignal)
    void withLogContext({ ...traceLogFields(trace), rpc: method }, async () => {
      const outcome: Outcome = { code: 0 }
      let release: (() => void) | undefined
      try {
        const { user, claims } = await authenticate(deps, call.metadata.get('authorization'))
        outcome.userId = user.userId
        deps.limits?.take(user.userId)
        assertDecoded(call.request)
        release = deps.limits?.openStream(user.userId)
        await withLogContext({ user_id: user.userId }, () =>
          handler({ method, user, claims, trace, signal, deadline: deadlineOf(call) }, call.request, call),
        )
        signal.throwIfAborted()
        call.end()
      } catch (err) {
        const { error, appError } = toGrpcError(failure(err, signal))
        outcome.code = error.code
        outcome.appError = appError
        // A cancelled call is gone already; anything else ends with the mapped status.
        if (!call.cancelled) call.emit('error', error)
      } finally {
        release?.()
        dispose()
        finish(deps, method, started, outcome)
      }
    })
  }
}
