import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from '@psa/config'
import type { Registry } from 'prom-client'
import type { Health } from './health.js'

export interface OpsServer {
  server: Server
  port: number
  close(): Promise<void>
}

/**
 * `/healthz`, `/readyz` and `/metrics` for processes that have no HTTP API of their own (agent workers,
 * the gRPC orchestrator), so probes and Prometheus treat every service alike.
 */
export async function startOpsServer(options: {
  port: number
  host?: string
  health: Health
  registry: Registry
  logger: Logger
}): Promise<OpsServer> {
  const { health, registry, logger } = options
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { 'content-type': 'application/json', allow: 'GET, HEAD' })
        res.end(JSON.stringify({ error: { code: 'METHOD_NOT_ALLOWED', message: 'Use GET' } }))
      } else if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ status: 'ok' }))
      } else if (path === '/readyz') {
        const report = await health.readiness()
        res.writeHead(report.ready ? 200 : 503, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ status: report.ready ? 'ready' : 'not_ready', checks: report.checks }))
      } else if (path === '/metrics') {
        const body = await registry.metrics()
        res.writeHead(200, { 'content-type': registry.contentType })
        res.end(body)
      } else {
        res.writeHead(404, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: `No route ${path}` } }))
      }
    } catch (err) {
      logger.error({ err }, 'ops endpoint failed')
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { code: 'INTERNAL', message: 'An unexpected error occurred' } }))
    }
  })
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  logger.info({ port }, 'ops server listening')
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      }),
  }
}
