import type { ServerResponse } from 'node:http'
import type { ClientReadableStream, ServiceError } from '@grpc/grpc-js'
import { fromProtoEvent, isTerminalEvent, type SessionEventEnvelope } from '@psa/agent-pipeline'
import { withLogContext } from '@psa/config'
import type { AppError } from '@psa/errors'
import { StreamQuota } from '@psa/lifecycle'
import type { SessionEvent } from '@psa/proto'
import type { FastifyBaseLogger } from 'fastify'
import type { GatewayMetrics } from '../metrics.js'
import { fromGrpcError } from '../orchestrator/errors.js'

export interface SessionStreamOptions {
  res: ServerResponse
  call: ClientReadableStream<SessionEvent>
  heartbeatMs: number
  retryMs: number
  metrics: GatewayMetrics
  logger: FastifyBaseLogger
  /** The request's trace fields: stream callbacks run outside the request's async context. */
  logFields?: Record<string, unknown>
}

export type StreamEnd = 'terminal' | 'upstream_ended' | 'client_closed' | 'upstream_error' | 'shutdown'

/**
 * Relays one session's gRPC event stream to one SSE client: `id: <seq>`, `event: <type>`, `data: <JSON
 * envelope>`, a comment heartbeat while idle, pausing the gRPC stream while the socket is congested. Ends
 * after the terminal status event; if the client goes away the gRPC call is cancelled, and if the gateway
 * shuts down the client is told to reconnect (EventSource does so with Last-Event-ID, to another replica).
 */
export class SessionStream {
  readonly #options: SessionStreamOptions
  readonly #heartbeat: NodeJS.Timeout
  #ended: StreamEnd | undefined
  #lastSeq = 0
  readonly #openedAt = Date.now()
  readonly done: Promise<StreamEnd>
  #resolveDone!: (end: StreamEnd) => void

  constructor(options: SessionStreamOptions) {
    this.#options = options
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve
    })
    const { res, call } = options
    options.metrics.sseClients.inc()
    this.#write(`retry: ${options.retryMs}\n: connected\n\n`)
    this.#heartbeat = setInterval(() => this.#write(': heartbeat\n\n'), options.heartbeatMs)
    this.#heartbeat.unref()

    call.on('data', (event: SessionEvent) => this.#relay(event))
    call.on('end', () => this.#finish('upstream_ended'))
    call.on('error', (err: ServiceError) => this.#upstreamError(err))
    res.on('close', () => this.#finish('client_closed'))
    res.on('drain', () => call.resume())
    // The client may have gone between the access check and now; 'close' would never fire again.
    if (res.destroyed) this.#finish('client_closed')
  }

  #log(level: 'info' | 'warn', fields: Record<string, unknown>, msg: string): void {
    withLogContext(this.#options.logFields ?? {}, () => this.#options.logger[level](fields, msg))
  }

  get lastSeq(): number {
    return this.#lastSeq
  }

  /** Gateway shutdown: ask the client to come back (elsewhere) and end the stream. */
  shutdown(): void {
    if (this.#ended) return
    this.#write(`retry: ${this.#options.retryMs}\nevent: reconnect\ndata: {"reason":"shutting_down"}\n\n`)
    this.#finish('shutdown')
  }

  #relay(event: SessionEvent): void {
    if (this.#ended) return
    let envelope: SessionEventEnvelope
    try {
      envelope = fromProtoEvent(event)
    } catch (err) {
      this.#log('warn', { err, seq: event.seq }, 'skipping a session event without payload')
      return
    }
    // The orchestrator never repeats a seq; guard anyway, a duplicate would be delivered twice to the UI.
    if (envelope.seq <= this.#lastSeq) return
    this.#lastSeq = envelope.seq
    const flushed = this.#write(
      `id: ${envelope.seq}\nevent: ${envelope.type}\ndata: ${JSON.stringify(envelope)}\n\n`,
    )
    const { metrics } = this.#options
    metrics.eventsRelayed.labels(envelope.type).inc()
    const sent = Date.parse(envelope.time)
    if (Number.isFinite(sent)) {
      // Replayed history would swamp the live relay latency (an hour-old event is not an hour of lag).
      const source = sent >= this.#openedAt - 1_000 ? 'live' : 'replay'
      metrics.relayLatency.labels(source).observe(Math.max(0, Date.now() - sent) / 1000)
    }
    if (!flushed) this.#options.call.pause()
    if (isTerminalEvent(envelope)) this.#finish('terminal')
  }

  #upstreamError(err: ServiceError): void {
    if (this.#ended) return
    const error: AppError = fromGrpcError(err)
    if (error.code !== 'CANCELLED') {
      this.#log('warn', { err, code: error.code }, 'session event stream failed upstream')
      // A distinct event name: `error` is a session event type (the agent's own error).
      this.#write(`event: stream_error\ndata: ${JSON.stringify(error.toBody())}\n\n`)
    }
    this.#finish('upstream_error')
  }

  #write(chunk: string): boolean {
    const { res } = this.#options
    if (res.writableEnded || res.destroyed) return true
    return res.write(chunk)
  }

  #finish(end: StreamEnd): void {
    if (this.#ended) return
    this.#ended = end
    clearInterval(this.#heartbeat)
    this.#options.metrics.sseClients.dec()
    // Cancelling a call that already ended is a no-op; for a client that left it stops the upstream work.
    this.#options.call.cancel()
    if (!this.#options.res.writableEnded) this.#options.res.end()
    this.#log('info', { end, last_seq: this.#lastSeq }, 'session event stream closed')
    this.#resolveDone(end)
  }
}

/** An open event stream the registry can end at shutdown. */
export interface ClosableStream {
  /** Ask the client to come back (elsewhere) and end the stream. */
  shutdown(): void
  readonly done: Promise<unknown>
}

/** Open streams, so shutdown can tell each client to reconnect before the server closes. */
export class SessionStreamRegistry {
  readonly #streams = new Set<ClosableStream>()
  readonly #quota: StreamQuota
  #closing = false

  /** `maxPerUser`: open event streams (session events and change feeds together) one user may hold. */
  constructor(options: { maxPerUser?: number } = {}) {
    this.#quota = new StreamQuota(options.maxPerUser ?? Number.POSITIVE_INFINITY)
  }

  /**
   * Counts a stream the user is about to open against their cap, or throws TOO_MANY_STREAMS (a JSON 429,
   * before the stream starts). Call the returned function when the stream ends.
   */
  claim(userId: string): () => void {
    return this.#quota.claim(userId)
  }

  get size(): number {
    return this.#streams.size
  }

  get closing(): boolean {
    return this.#closing
  }

  add(stream: ClosableStream): void {
    this.#streams.add(stream)
    void stream.done.then(() => this.#streams.delete(stream))
  }

  /** Ends every stream with a reconnect hint and waits until they have all closed. */
  async shutdown(): Promise<void> {
    this.#closing = true
    const open = [...this.#streams]
    for (const stream of open) stream.shutdown()
    await Promise.all(open.map((s) => s.done))
  }
}
