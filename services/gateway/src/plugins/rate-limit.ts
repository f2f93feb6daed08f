import rateLimit from '@fastify/rate-limit'
import { AppError } from '@psa/errors'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { GatewayMetrics } from '../metrics.js'

export interface RateLimitPluginOptions {
  perMinute: number
  metrics: GatewayMetrics
}

/**
 * A fixed window per minute, keyed by the verified user (so one user behind a shared NAT does not starve
 * the others) or by client IP when there is none. In memory: each gateway replica counts on its own, so the
 * effective limit is this times the replicas (documented; a shared store is the next step if that matters).
 */
export const rateLimitPlugin = fp<RateLimitPluginOptions>(
  async (app: FastifyInstance, { perMinute, metrics }) => {
    await app.register(rateLimit, {
      global: true,
      max: perMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => (request.user ? `user:${request.user.userId}` : `ip:${request.ip}`),
      errorResponseBuilder: (_request, context) => {
        metrics.rateLimited.inc()
        const retryAfterSeconds = Math.max(1, Math.ceil(context.ttl / 1000))
        return new AppError('RATE_LIMITED', `Too many requests; retry in ${retryAfterSeconds} s`, {
          details: { limit: context.max, window_seconds: 60, retry_after_seconds: retryAfterSeconds },
        })
      },
    })
  },
  { name: 'rate-limit', dependencies: ['auth'] },
)
