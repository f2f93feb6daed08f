import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from '@psa/config'
import { AppError } from '@psa/errors'
import { createProxyServer } from 'http-proxy-3'
import { GATEWAY_READINESS_PATH, hasDotSegment } from './gateway-paths.js'

// This file must not be called `proxy.ts`: with the app in src/, Next.js treats src/proxy.ts as its
// request-interception convention (formerly middleware).

export interface GatewayProxy {
  /** Forwards one request; the response (including streams) is piped back as it arrives. */
  forward(req: IncomingMessage, res: ServerResponse, path: string): void
  /** Ends every open event stream cleanly so clients reconnect (and resume) against another replica. */
  endStreams(): void
  /** Event streams currently open. */
  readonly openStreams: number
}

/**
 * Forwards `/api/*` to the gateway at request time. Next.js rewrites were tried first and rejected: their
 * destination is frozen into `.next/routes-manifest.json` at build time (one image could not be pointed at
 * another gateway), Next's gzip holds Server-Sent Events back until the stream ends, and an unreachable
 * gateway comes back as a bare 500 instead of our error shape.
 */
export function createGatewayProxy(options: {
  gatewayUrl: string
  logger: Logger
  /** Fail fast when the gateway host does not answer at all; slow responses are the gateway's business. */
  connectTimeoutMs?: number
}): GatewayProxy {
  const { logger } = options
  const gatewayUrl = options.gatewayUrl.replace(/\/+$/, '')
  const streams = new Set<{ res: ServerResponse; upstream: IncomingMessage }>()
  const ending = new WeakSet<ServerResponse>()

  const proxy = createProxyServer({
    // Keep the browser's Host for the gateway's logs in X-Forwarded-Host; the gateway sees its own host.
    changeOrigin: true,
    xfwd: true,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    // No proxyTimeout: an idle timeout would cut event streams that wait minutes between agent events.
  })

  proxy.on('proxyRes', (upstream, _req, res) => {
    const contentType = upstream.headers['content-type'] ?? ''
    if (contentType.startsWith('text/event-stream')) {
      // Tells nginx-style ingresses not to buffer the stream either.
      upstream.headers['x-accel-buffering'] = 'no'
      const entry = { res, upstream }
      streams.add(entry)
      res.once('close', () => streams.delete(entry))
    }
    // If the gateway dies mid-response the client must see a broken response, not wait forever.
    upstream.once('close', () => {
      if (!upstream.complete && !ending.has(res) && !res.destroyed) res.destroy()
    })
  })

  function fail(err: Error & { code?: string }, req: IncomingMessage, res: ServerResponse): void {
    const timedOut = err.code === 'ETIMEDOUT' || /timeout/i.test(err.message)
    const appError = timedOut
      ? new AppError('DEADLINE_EXCEEDED', 'The API gateway did not answer in time')
      : new AppError('UNAVAILABLE', 'The API gateway is not reachable')
    // The message and code say enough (ECONNREFUSED, ENOTFOUND...); a stack here is the same every time.
    logger.warn(
      { request_id: req.headers['x-request-id'], method: req.method, code: err.code, error: err.message },
      'gateway request failed',
    )
    if (res.headersSent) {
      res.destroy()
      return
    }
    res.writeHead(appError.httpStatus, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    res.end(JSON.stringify(appError.toBody()))
  }

  return {
    forward(req, res, path) {
      if (hasDotSegment(path)) {
        const error = new AppError('BAD_REQUEST', 'Paths with . or .. segments are not accepted')
        res.writeHead(error.httpStatus, { 'content-type': 'application/json' })
        res.end(JSON.stringify(error.toBody()))
        return
      }
      if (path === GATEWAY_READINESS_PATH) {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          const error = new AppError('METHOD_NOT_ALLOWED', 'Use GET')
          res.writeHead(error.httpStatus, { 'content-type': 'application/json', allow: 'GET, HEAD' })
          res.end(JSON.stringify(error.toBody()))
          return
        }
        proxy.web(req, res, { target: `${gatewayUrl}/readyz`, ignorePath: true }, (err) =>
          fail(err, req, res),
        )
        return
      }
      proxy.web(req, res, { target: gatewayUrl }, (err) => fail(err, req, res))
    },
    endStreams() {
      for (const { res, upstream } of streams) {
        ending.add(res)
        upstream.unpipe(res)
        upstream.destroy()
        res.end()
      }
      streams.clear()
    },
    get openStreams() {
      return streams.size
    },
  }
}
