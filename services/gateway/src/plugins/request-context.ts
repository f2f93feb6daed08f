import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { childTraceContext, formatTraceparent, traceLogFields, withLogContext } from '@psa/config'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** `X-Request-Id` from the caller when it is a sane token, else a fresh UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id']
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
}

/**
 * Request id and W3C trace context for every request: continues the caller's trace (or starts one), returns
 * both in the response headers, and runs the rest of the request inside a log context, so every log line
 * written on its behalf (ours, the database's, the gRPC client's) carries trace_id.
 */
export const requestContextPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('trace', undefined as never)
    app.addHook('onRequest', (request, reply, done) => {
      const trace = childTraceContext(request.headers.traceparent as string | undefined)
      request.trace = trace
      reply.header('x-request-id', request.id)
      reply.header('traceparent', formatTraceparent(trace))
      withLogContext(traceLogFields(trace), done)
    })
    app.addHook('onResponse', (request, reply, done) => {
      // The response may finish outside the request's async context (socket callbacks): set it again.
      withLogContext(request.trace ? traceLogFields(request.trace) : {}, () =>
        request.log.info(
          {
            method: request.method,
            // Access tokens may arrive in the query (`?access_token=`, also percent-encoded); the logger's
            // redaction censors any secret-named query parameter.
            url: request.url,
            route: request.routeOptions.url ?? null,
            status_code: reply.statusCode,
            duration_ms: Math.round(reply.elapsedTime * 100) / 100,
            user_id: request.user?.userId ?? null,
          },
          'request completed',
        ),
      )
      done()
    })
  },
  { name: 'request-context' },
)
