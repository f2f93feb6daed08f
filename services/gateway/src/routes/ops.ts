import type { Health } from '@psa/lifecycle'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { GatewayMetrics } from '../metrics.js'
import { CachedReadiness } from '../readiness-cache.js'

const checkSchema = z.object({ ok: z.boolean(), latency_ms: z.number() })
const readinessSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), checkSchema),
})

/** Probes, metrics and the OpenAPI document: public and not rate limited (probes must never get a 429). */
export async function opsRoutes(
  app: FastifyInstance,
  {
    health,
    metrics,
    readinessCacheMs,
  }: { health: Health; metrics: GatewayMetrics; readinessCacheMs: number },
) {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const readiness = new CachedReadiness({ health, ttlMs: readinessCacheMs, logger: app.log })
  const config = { public: true, rateLimit: false } as const

  r.get(
    '/healthz',
    {
      config,
      schema: {
        tags: ['ops'],
        summary: 'Liveness: the process is up',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  )

  r.get(
    '/readyz',
    {
      config,
      schema: {
        tags: ['ops'],
        summary: 'Readiness: Postgres and the orchestrator answer, and the server is not shutting down',
        description: 'Checked at most once per READINESS_CACHE_MS; failure reasons are logged, not returned.',
        response: { 200: readinessSchema, 503: readinessSchema },
      },
    },
    async (_request, reply) => {
      const report = await readiness.get()
      return reply
        .code(report.ready ? 200 : 503)
        .send({ status: report.ready ? 'ready' : 'not_ready', checks: report.checks })
    },
  )

  r.get(
    '/metrics',
    { config, schema: { tags: ['ops'], summary: 'Prometheus metrics', hide: true } },
    async (_request, reply) => {
      const body = await metrics.registry.metrics()
      return reply.type(metrics.registry.contentType).send(body)
    },
  )

  r.get(
    '/openapi.json',
    { config, schema: { tags: ['ops'], summary: 'This OpenAPI document', hide: true } },
    async () => app.swagger(),
  )
}
