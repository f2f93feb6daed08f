import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { GatewayMetrics } from '../metrics.js'

/** Request duration by route template (never the raw URL: ids would explode the series). */
export const metricsPlugin = fp<{ metrics: GatewayMetrics }>(
  async (app: FastifyInstance, { metrics }) => {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched')
      metrics.httpDuration
        .labels(request.method, route, String(reply.statusCode))
        .observe(reply.elapsedTime / 1000)
    })
  },
  { name: 'metrics' },
)
