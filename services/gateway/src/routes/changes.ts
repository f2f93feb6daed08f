import type { Database } from '@psa/db'
import { AppError } from '@psa/errors'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { ChangeFeed } from '../changes/change-feed.js'
import { asMember } from '../domain/tenancy.js'
import { errorResponses, organisationHeadersSchema, uuidSchema } from '../schemas/common.js'
import { startEventStream } from '../sse/event-stream-head.js'
import type { SessionStreamRegistry } from '../sse/session-stream.js'
import { requestedOrganisation } from './call-context.js'
import { userOf } from './user.js'

export interface ChangeRoutesOptions {
  db: Database
  feed: ChangeFeed
  streams: SessionStreamRegistry
  heartbeatMs: number
  retryMs: number
}

const DESCRIPTION = [
  'Server-Sent Events telling open pages what to refetch: `event: change` with',
  '`data: {"tables":["proposals","tasks"]}` whenever rows of those tables change in the organisation',
  '(a proposal applied or reverted, a session finishing, anyone editing), coalesced over a fraction of a',
  'second. `"*"` means changes may have been missed (refetch everything). Only table names travel here; the',
  'data itself is read through the other routes, under row level security. `event: reconnect` means this',
  'replica is shutting down.',
].join(' ')

export async function changeRoutes(app: FastifyInstance, options: ChangeRoutesOptions) {
  const { db, feed, streams } = options
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/changes',
    {
      config: { queryToken: true },
      schema: {
        tags: ['organisations'],
        summary: "Live change feed of the organisation's data (SSE)",
        description: DESCRIPTION,
        headers: organisationHeadersSchema,
        querystring: z.object({
          organisation_id: uuidSchema.optional(),
          access_token: z
            .string()
            .max(16_384)
            .optional()
            .describe('For EventSource clients (prefer the header)'),
        }),
        response: {
          200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
          ...errorResponses(403, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const membership = await asMember(
        db,
        userOf(request),
        requestedOrganisation(request),
        async (_tx, m) => m,
      )
      if (streams.closing) {
        throw new AppError('UNAVAILABLE', 'This server is shutting down; reconnect', {
          details: { reason: 'shutting_down' },
        })
      }
      const release = streams.claim(userOf(request).userId)
      try {
        await feed.ready()
      } catch (err) {
        release()
        throw err
      }
      const res = startEventStream(reply)
      const write = (chunk: string) => {
        if (!res.writableEnded && !res.destroyed) res.write(chunk)
      }
      let resolveDone!: () => void
      const done = new Promise<void>((resolve) => {
        resolveDone = resolve
      })
      const unsubscribe = feed.subscribe(membership.organisationId, (tables) =>
        write(`event: change\ndata: ${JSON.stringify({ tables })}\n\n`),
      )
      const heartbeat = setInterval(() => write(': heartbeat\n\n'), options.heartbeatMs)
      heartbeat.unref()
      const finish = () => {
        release()
        clearInterval(heartbeat)
        unsubscribe()
        if (!res.writableEnded) res.end()
        resolveDone()
      }
      res.on('close', finish)
      write(`retry: ${options.retryMs}\n: connected\n\n`)
      streams.add({
        done,
        shutdown: () => {
          write(`retry: ${options.retryMs}\nevent: reconnect\ndata: {"reason":"shutting_down"}\n\n`)
          finish()
        },
      })
      if (res.destroyed) finish()
      await done
    },
  )
}
