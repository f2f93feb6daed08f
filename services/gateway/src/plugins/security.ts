import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export interface SecurityPluginOptions {
  corsOrigins?: string[] | undefined
}

/**
 * Security headers for a JSON API (nothing here is ever rendered as a page, so the strictest CSP fits), and
 * CORS only for the origins configured: browsers normally call the web app's origin, which forwards /api/*.
 */
export const securityPlugin = fp<SecurityPluginOptions>(
  async (app: FastifyInstance, { corsOrigins }) => {
    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
      },
      crossOriginResourcePolicy: { policy: 'same-site' },
      hsts: { maxAge: 31_536_000, includeSubDomains: true },
      referrerPolicy: { policy: 'no-referrer' },
    })
    app.addHook('onSend', async (_request, reply, payload) => {
      // API answers are per user: never let a shared cache keep them.
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
      return payload
    })
    if (corsOrigins && corsOrigins.length > 0) {
      await app.register(cors, {
        origin: corsOrigins,
        credentials: false,
        methods: ['GET', 'POST', 'OPTIONS'],
        allowedHeaders: [
          'authorization',
          'content-type',
          'x-request-id',
          'x-organisation-id',
          'last-event-id',
          'traceparent',
        ],
        exposedHeaders: ['x-request-id', 'traceparent', 'retry-after'],
        maxAge: 600,
      })
    }
  },
  { name: 'security' },
)
