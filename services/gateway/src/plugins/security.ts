import type { IncomingMessage, ServerResponse } from 'node:http'
import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'

export interface SecurityPluginOptions {
  corsOrigins?: string[] | undefined
}

const helmetOptions: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
  },
  crossOriginResourcePolicy: { policy: 'same-site' },
  hsts: { maxAge: 31_536_000, includeSubDomains: true },
  referrerPolicy: { policy: 'no-referrer' },
}

/**
 * The headers helmet sets with these options, worked out once: they depend on nothing in the request
 * (no nonces), and @fastify/helmet built helmet's middleware anew for every request, in two hooks, a few
 * percent of the gateway's CPU per admission.
 */
export function securityHeaders(options: HelmetOptions = helmetOptions): Record<string, string> {
  const headers: Record<string, string> = {}
  const res = {
    setHeader(name: string, value: string) {
      headers[name.toLowerCase()] = value
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()]
    },
  }
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err
  })
  // API answers are per user: never let a shared cache keep them (a route may say otherwise).
  headers['cache-control'] = 'no-store'
  return headers
}

/**
 * Security headers for a JSON API (nothing here is ever rendered as a page, so the strictest CSP fits), and
 * CORS only for the origins configured: browsers normally call the web app's origin, which forwards /api/*.
 */
export const securityPlugin = fp<SecurityPluginOptions>(
  async (app: FastifyInstance, { corsOrigins }) => {
    const headers = securityHeaders()
    // Set first, so a route's own header (e.g. a cacheable answer's cache-control) replaces the default;
    // an event stream copies them when it takes the response over (startEventStream).
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers)
      done()
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
