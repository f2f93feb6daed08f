import {
  type CallOptions,
  type ClientReadableStream,
  type ClientUnaryCall,
  credentials,
  status as GrpcStatus,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js'
import { AppError } from '@psa/errors'
import {
  AGENT_SERVICE_NAME,
  type AgentRequest,
  type AgentResponse,
  AgentServiceClient,
  type CancelSessionRequest,
  type GetQueuePositionResponse,
  type ListSessionsRequest,
  type ListSessionsResponse,
  type SessionEvent,
  type StreamSessionEventsRequest,
} from '@psa/proto'
import { service as healthService } from 'grpc-health-check'
import type { GatewayMetrics } from '../metrics.js'
import { fromGrpcError } from './errors.js'
import { SubmitBatcher } from './submit-batch.js'

/** What every call carries on behalf of the HTTP request that made it. */
export interface CallContext {
  /** The caller's `Authorization` header, forwarded as is: the orchestrator verifies it too. */
  authorization: string
  /** This hop's W3C traceparent. */
  traceparent: string
  requestId: string
}

export interface OrchestratorClientOptions {
  address: string
  /** Deadline of each unary call. */
  timeoutMs: number
  metrics?: GatewayMetrics
}

type Unary<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall

interface HealthClient {
  check(
    request: { service: string },
    metadata: Metadata,
    options: Partial<CallOptions>,
    callback: (error: ServiceError | null, response: { status: string }) => void,
  ): ClientUnaryCall
  close(): void
}

const HealthClientConstructor = makeGenericClientConstructor(
  healthService,
  'grpc.health.v1.Health',
) as unknown as {
  new (address: string, creds: ReturnType<typeof credentials.createInsecure>): HealthClient
}

/** The orchestrator's AgentService as promises, with the caller's token and trace, per-call deadlines and
 * errors turned into AppErrors. One channel per process (gRPC multiplexes calls over it). */
export class OrchestratorClient {
  readonly #client: AgentServiceClient
  readonly #health: HealthClient
  readonly #timeoutMs: number
  readonly #metrics: GatewayMetrics | undefined
  readonly #submits: SubmitBatcher

  constructor(options: OrchestratorClientOptions) {
    const channelOptions = {
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.max_receive_message_length': 8 * 1024 * 1024,
      // Nothing reads channelz here; tracking it costs clock reads and counters on every call.
      'grpc.enable_channelz': 0,
    }
    this.#client = new AgentServiceClient(options.address, credentials.createInsecure(), channelOptions)
    this.#health = new HealthClientConstructor(options.address, credentials.createInsecure())
    this.#timeoutMs = options.timeoutMs
    this.#metrics = options.metrics
    // The call carries no token of its own: each item is authenticated with its caller's.
    const batchContext = { authorization: '', traceparent: '', requestId: '' }
    this.#submits = new SubmitBatcher((items) =>
      this.#unary('SubmitRequests', this.#client.submitRequests.bind(this.#client), batchContext, {
        items,
      }),
    )
  }

  /**
   * Goes with the submits of the same event-loop turn in one SubmitRequests call (`SubmitBatcher`);
   * `bodyBytes` is the size of the HTTP body the request came in.
   */
  submit(ctx: CallContext, request: AgentRequest, bodyBytes: number): Promise<AgentResponse> {
    return this.#submits.submit(ctx.authorization, ctx.traceparent, request, bodyBytes)
  }

  getSession(ctx: CallContext, sessionId: string): Promise<AgentResponse> {
    return this.#unary('GetSession', this.#client.getSession.bind(this.#client), ctx, { sessionId })
  }

  listSessions(ctx: CallContext, request: ListSessionsRequest): Promise<ListSessionsResponse> {
    return this.#unary('ListSessions', this.#client.listSessions.bind(this.#client), ctx, request)
  }

  cancelSession(ctx: CallContext, request: CancelSessionRequest): Promise<AgentResponse> {
    return this.#unary('CancelSession', this.#client.cancelSession.bind(this.#client), ctx, request)
  }

  getQueuePosition(ctx: CallContext, sessionId: string): Promise<GetQueuePositionResponse> {
    return this.#unary('GetQueuePosition', this.#client.getQueuePosition.bind(this.#client), ctx, {
      sessionId,
    })
  }

  /** A server stream with no deadline (it lives as long as the session); cancel it when the client leaves. */
  streamEvents(ctx: CallContext, request: StreamSessionEventsRequest): ClientReadableStream<SessionEvent> {
    return this.#client.streamSessionEvents(request, metadataFor(ctx))
  }

  /** Readiness: the orchestrator's standard health service says AgentService is SERVING. */
  checkHealth(timeoutMs = 1_500): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#health.check(
        { service: AGENT_SERVICE_NAME },
        new Metadata(),
        { deadline: Date.now() + timeoutMs },
        (err, response) => {
          if (err) reject(fromGrpcError(err))
          else if (response.status !== 'SERVING')
            reject(new AppError('UNAVAILABLE', `orchestrator is ${response.status}`))
          else resolve()
        },
      )
    })
  }

  close(): void {
    this.#client.close()
    this.#health.close()
  }

  #unary<Req, Res>(method: string, fn: Unary<Req, Res>, ctx: CallContext, request: Req): Promise<Res> {
    const started = performance.now()
    return new Promise<Res>((resolve, reject) => {
      // grpc-js captures the caller's stack for every call (`new Error()` in makeUnaryRequest), ~2% of the
      // gateway's CPU per admission; its errors become AppErrors here, which never show that stack.
      const stackTraceLimit = Error.stackTraceLimit
      Error.stackTraceLimit = 0
      try {
        fn(request, metadataFor(ctx), { deadline: Date.now() + this.#timeoutMs }, (err, response) => {
          this.#metrics?.grpcDuration
            .labels(method, GrpcStatus[err ? err.code : GrpcStatus.OK] ?? 'UNKNOWN')
            .observe((performance.now() - started) / 1000)
          if (err) reject(fromGrpcError(err))
          else resolve(response)
        })
      } finally {
        Error.stackTraceLimit = stackTraceLimit
      }
    })
  }
}

function metadataFor(ctx: CallContext): Metadata {
  const metadata = new Metadata()
  if (ctx.authorization) metadata.set('authorization', ctx.authorization)
  if (ctx.traceparent) metadata.set('traceparent', ctx.traceparent)
  if (ctx.requestId) metadata.set('x-request-id', ctx.requestId)
  return metadata
}
