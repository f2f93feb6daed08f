import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from '@psa/config'
import { AppError, toAppError } from '@psa/errors'
import { type Health, type Registry, type ShutdownManager, ShutdownPhase } from '@psa/lifecycle'
import nextModule from 'next'
import { isGatewayPath } from './gateway-paths.js'
import { createGatewayProxy } from './gateway-proxy.js'
import { createRequestDurationHistogram, methodLabel, routeLabel } from './http-metrics.js'

// `next` is CommonJS whose typings declare an ES default export; under NodeNext the default import is the
// CommonJS `module.exports`, which is that very function.
const createNextApp = nextModule as unknown as typeof nextModule.default

export interface WebServerOptions {
  /** The Next.js project directory (holds next.config.ts and the `.next` build). */
  dir: string
  gatewayUrl: string
  port: number
  host?: string
  logger: Logger
  health: Health
  metrics: Registry
}

export interface WebServer {
  server: Server
  port: number
  url: string
  /** Stops listening, closes idle keep-alive connections and ends open event streams. */
  stopAccepting(): Promise<void>
  /** Resolves once every in-flight request has finished and Next.js has shut down. */
  close(): Promise<void>
}

const OPS_PATHS = new Set(['/healthz', '/readyz', '/metrics'])
const REQUEST_ID = /^[\w.:-]{1,128}$/

/**
 * The web process: Next.js (production build) behind a plain Node HTTP server that also answers the probes
 * and metrics, forwards `/api/*` to the gateway, and logs one line per request. Listens before Next.js is
 * prepared so liveness answers at once while readiness waits for Next.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const { logger, health, metrics } = options
  // Server components and route handlers reach the gateway directly (src/lib/runtime-env.ts): the same
  // gateway this server forwards /api to.
  process.env.GATEWAY_URL = options.gatewayUrl
  const app = createNextApp({ dev: false, dir: options.dir })
  const handleNext = app.getRequestHandler()
  const gateway = createGatewayProxy({ gatewayUrl: options.gatewayUrl, logger })
  const durations = createRequestDurationHistogram(metrics)

  let prepared = false
  let closing = false
  // Readiness deliberately does not include the gateway: web serves pages (and the page that reports the
  // gateway as down) without it. Were the gateway part of web's readiness, a gateway outage would also
  // take every web pod out of the Service, and users would get connection errors instead of a page that
  // explains what is wrong; the gateway's own readiness already keeps traffic off bad gateway pods.
  health.addReadinessCheck('next', () => prepared)

  async function serveOps(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, new AppError('METHOD_NOT_ALLOWED', 'Use GET'), { allow: 'GET, HEAD' })
    } else if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' })
    } else if (path === '/readyz') {
      const report = await health.readiness()
      sendJson(res, report.ready ? 200 : 503, {
        status: report.ready ? 'ready' : 'not_ready',
        checks: report.checks,
      })
    } else {
      const body = await metrics.metrics()
      res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' })
      res.end(body)
    }
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    const path = pathOf(req.url)
    const incomingId = req.headers['x-request-id']
    const requestId =
      typeof incomingId === 'string' && REQUEST_ID.test(incomingId) ? incomingId : randomUUID()
    // The gateway logs the same id, so one browser action can be followed across both services.
    req.headers['x-request-id'] = requestId
    res.setHeader('x-request-id', requestId)
    if (closing) res.setHeader('connection', 'close')

    res.once('close', () => {
      const seconds = (performance.now() - started) / 1000
      const route = routeLabel(path)
      durations.observe(
        { method: methodLabel(req.method), route, status_code: String(res.statusCode) },
        seconds,
      )
      const line = {
        request_id: requestId,
        method: req.method,
        path,
        status: res.statusCode,
        duration_ms: Math.round(seconds * 1000),
        ...(res.writableFinished ? {} : { aborted: true }),
      }
      // Probes and scrapes arrive every few seconds from the cluster; at info they would drown real traffic.
      if (OPS_PATHS.has(route)) logger.debug(line, 'request')
      else if (res.statusCode >= 500) logger.warn(line, 'request')
      else logger.info(line, 'request')
      // A keep-alive connection that just finished its last request would otherwise hold shutdown open.
      if (closing) server.closeIdleConnections()
    })

    try {
      if (OPS_PATHS.has(path)) {
        await serveOps(req, res, path)
      } else if (isGatewayPath(path)) {
        gateway.forward(req, res, path)
      } else {
        await preparing
        await handleNext(req, res)
      }
    } catch (err) {
      logger.error({ err, request_id: requestId, path }, 'request failed')
      if (!res.headersSent) sendError(res, toAppError(err))
      else res.destroy()
    }
  }

  // Started before listening so a request that arrives early waits on it instead of failing.
  const preparing = app.prepare()
  preparing.catch(() => {})

  const server = createServer((req, res) => void onRequest(req, res))
  // Longer than the idle timeout of common load balancers (60 s), so they close idle connections first
  // and never send a request into a socket this server is closing.
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()))

  try {
    await preparing
  } catch (err) {
    server.close()
    throw err
  }
  prepared = true
  logger.info({ port: address.port, gateway: options.gatewayUrl }, 'web listening')

  async function stopAccepting(): Promise<void> {
    if (closing) return
    closing = true
    health.markDraining()
    server.close()
    server.closeIdleConnections()
    const streams = gateway.openStreams
    gateway.endStreams()
    logger.info({ event_streams_ended: streams }, 'stopped accepting connections')
  }

  let shutdownDone: Promise<void> | undefined
  return {
    server,
    port: address.port,
    url: `http://${urlHost(address)}:${address.port}`,
    stopAccepting,
    close() {
      shutdownDone ??= stopAccepting()
        .then(() => closed)
        .then(() => app.close())
      return shutdownDone
    },
  }
}

/** Stop taking connections first (with readiness already false), then wait for in-flight requests. */
export function registerShutdownHooks(shutdown: ShutdownManager, web: WebServer): void {
  shutdown.register('http-listener', web.stopAccepting, ShutdownPhase.STOP_ACCEPTING)
  shutdown.register('http-in-flight', web.close, ShutdownPhase.DRAIN_WORK)
}

function urlHost({ address, family }: AddressInfo): string {
  if (address === '0.0.0.0' || address === '::') return '127.0.0.1'
  return family === 'IPv6' ? `[${address}]` : address
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/'
  const query = raw.indexOf('?')
  // Only the path is ever logged or labelled: query strings can carry tokens (EventSource cannot set headers).
  return query === -1 ? raw : raw.slice(0, query)
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers })
  res.end(JSON.stringify(body))
}

function sendError(res: ServerResponse, error: AppError, headers: Record<string, string> = {}) {
  sendJson(res, error.httpStatus, error.toBody(), headers)
}
