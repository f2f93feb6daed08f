import { traceLogFields } from '@psa/config'
import { AppError } from '@psa/errors'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { GatewayMetrics } from '../metrics.js'
import type { OrchestratorClient } from '../orchestrator/client.js'
import { sessionEventsHeadersSchema, sessionEventsQuerySchema } from '../schemas/agents.js'
import { errorResponses, idParamsSchema } from '../schemas/common.js'
import { startEventStream } from '../sse/event-stream-head.js'
import { SessionStream, type SessionStreamRegistry } from '../sse/session-stream.js'
import { callContext } from './call-context.js'
import { userOf } from './user.js'

export interface SessionEventRoutesOptions {
  orchestrator: OrchestratorClient
  streams: SessionStreamRegistry
  metrics: GatewayMetrics
  heartbeatMs: number
  retryMs: number
}

const SSE_DESCRIPTION = [
  'Server-Sent Events. Each event: `id: <seq>`, `event: <type>` (status_changed, reasoning,',
  'tool_call_started, tool_call_finished, proposal_created, final_result, error, child_session),',
  '`data: <JSON SessionEventEnvelope>`. Resume with the `Last-Event-ID` header (EventSource sends it) or',
  '`?after=<seq>`: events after that seq, no gaps, no duplicates. A comment line every 15 s keeps idle',
  'connections open. The stream ends after the terminal status_changed event. `event: stream_error` carries',
  'an API error body when the stream fails upstream; `event: reconnect` means this replica is shutting down.',
].join(' ')

export async function sessionEventRoutes(app: FastifyInstance, options: SessionEventRoutesOptions) {
  const { orchestrator, streams, metrics } = options
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/sessions/:id/events',
    {
      config: { queryToken: true },
      schema: {
        tags: ['sessions'],
        summary: "Follow a session's events live (SSE)",
        description: SSE_DESCRIPTION,
        params: idParamsSchema,
        querystring: sessionEventsQuerySchema,
        headers: sessionEventsHeadersSchema,
        response: {
          200: {
            description: 'An event stream',
            content: { 'text/event-stream': { schema: z.string() } },
          },
          ...errorResponses(404, 503, 504),
        },
      },
    },
    async (request, reply) => {
      const ctx = callContext(request)
      const sessionId = request.params.id
      const lastEventId = request.headers['last-event-id']
      const after = lastEventId === undefined ? (request.query.after ?? 0) : Number(lastEventId)
      // Access and existence first, so a wrong id gets an ordinary JSON 404 instead of a stream that dies.
      await orchestrator.getSession(ctx, sessionId)
      if (streams.closing) {
        throw new AppError('UNAVAILABLE', 'This server is shutting down; reconnect', {
          details: { reason: 'shutting_down' },
        })
      }

      const release = streams.claim(userOf(request).userId)
      try {
        const res = startEventStream(reply)
        const call = orchestrator.streamEvents(ctx, { sessionId, afterSeq: after })
        const stream = new SessionStream({
          res,
          call,
          heartbeatMs: options.heartbeatMs,
          retryMs: options.retryMs,
          metrics,
          logger: request.log.child({ session_id: sessionId, after_seq: after }),
          logFields: traceLogFields(request.trace),
        })
        streams.add(stream)
        await stream.done
      } finally {
        release()
      }
    },
  )
}
