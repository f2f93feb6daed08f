import type { ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createMetricsRegistry, Health, ShutdownManager, ShutdownPhase } from '@psa/lifecycle'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureNextBuild } from './next-build.js'
import { registerShutdownHooks, startWebServer, type WebServer } from './server.js'
import { chunkReader, listen, memoryLogger, type RunningServer, readBody } from './test-servers.js'

// The real server around the real production build of the app, and a fake gateway on port 0.

const webDir = fileURLToPath(new URL('..', import.meta.url))
const BROWSER_ENCODINGS = 'gzip, deflate, br, zstd'

let gatewayPort = 0
let gateway: RunningServer
let web: WebServer
const health = new Health()
const registry = createMetricsRegistry('web-test')
const { logger, lines } = memoryLogger()
const openStreams: ServerResponse[] = []
let slowRequestArrived = false

async function startGateway(port = 0): Promise<RunningServer> {
  return listen(async (req, res) => {
    const url = req.url ?? '/'
    if (url === '/readyz') {
      res.writeHead(503, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ status: 'not_ready', checks: { nats: { ok: false, error: 'timed out' } } }))
    } else if (url.startsWith('/api/sessions/')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('id: 1\ndata: {"type":"status","status":"processing"}\n\n')
      openStreams.push(res)
    } else if (url === '/api/dev/users') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          users: [
            {
              email: 'admin@northwind.example',
              full_name: 'Sarah Mitchell',
              organisation: 'Northwind Consulting',
              role: 'admin',
            },
          ],
        }),
      )
    } else if (url === '/api/slow') {
      slowRequestArrived = true
      setTimeout(() => res.end('slow done'), 300)
    } else {
      const body = await readBody(req)
      res.writeHead(201, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ method: req.method, url, authorization: req.headers.authorization, body }))
    }
  }, port)
}

beforeAll(async () => {
  await ensureNextBuild(webDir)
  gateway = await startGateway()
  gatewayPort = (gateway.server.address() as AddressInfo).port
  web = await startWebServer({
    dir: webDir,
    gatewayUrl: gateway.url,
    port: 0,
    host: '127.0.0.1',
    logger,
    health,
    metrics: registry,
  })
}, 240_000)

afterAll(async () => {
  await web?.close()
  await gateway?.close()
})

describe('web server: probes and metrics', () => {
  it('answers liveness and readiness once Next.js is prepared', async () => {
    const live = await fetch(`${web.url}/healthz`)
    expect(live.status).toBe(200)
    expect(await live.json()).toEqual({ status: 'ok' })
    const ready = await fetch(`${web.url}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { next: { ok: true } } })
    expect((await fetch(`${web.url}/readyz`, { method: 'POST' })).status).toBe(405)
  })

  it('serves Prometheus metrics with a request duration histogram', async () => {
    await fetch(`${web.url}/healthz`)
    const res = await fetch(`${web.url}/metrics`)
    expect(res.headers.get('content-type')).toContain('text/plain')
    const body = await res.text()
    expect(body).toMatch(
      /http_request_duration_seconds_count\{service="web-test",method="GET",route="\/healthz",status_code="200"\} [1-9]/,
    )
    expect(body).toContain('http_request_duration_seconds_bucket{')
    expect(body).toContain('process_cpu_seconds_total')
  })
})

describe('web server: pages', () => {
  it('sends a visitor who is not signed in to the sign-in page, which offers the demo users', async () => {
    const home = await fetch(`${web.url}/`, { redirect: 'manual' })
    expect(home.status).toBe(307)
    expect(new URL(home.headers.get('location') ?? '', web.url).pathname).toBe('/sign-in')
    expect(new URL(home.headers.get('location') ?? '', web.url).searchParams.get('next')).toBe('/')
    const res = await fetch(`${web.url}/sign-in?next=%2Fprojects`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
    const html = await res.text()
    expect(html).toContain('<title>Sign in · PSA Agents</title>')
    expect(html).toContain('Sarah Mitchell')
    expect(html).toContain('value="/projects"')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    const stylesheet = html.match(/href="(\/_next\/static\/[^"]+\.css)"/)?.[1]
    expect(stylesheet).toBeDefined()
    const css = await fetch(`${web.url}${stylesheet}`)
    expect(css.status).toBe(200)
    expect(css.headers.get('content-type')).toContain('text/css')
  })

  it('signs in through the gateway’s dev token endpoint into an httpOnly cookie, and hands pages the token', async () => {
    const signIn = await fetch(`${web.url}/auth/dev`, {
      method: 'POST',
      body: new URLSearchParams({ email: 'admin@northwind.example', next: '//evil.example/' }),
      redirect: 'manual',
    })
    // The fake gateway answers the token request like any other: with its echo, which has no token.
    expect(signIn.status).toBe(303)
    expect(signIn.headers.get('location')).toMatch(/^\/sign-in\?error=.*&next=%2F$/)
    const session = await fetch(`${web.url}/auth/session`)
    expect(session.status).toBe(401)
  })

  it("answers unknown pages with Next's 404 page for a signed-in user", async () => {
    const res = await fetch(`${web.url}/no-such-page`, {
      headers: { cookie: `psa_dev_session=${fakeToken()}` },
    })
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toContain('text/html')
    const html = await res.text()
    expect(html).toContain('Page not found')
    expect(html).toContain('PSA Agents')
    const session = await fetch(`${web.url}/auth/session`, {
      headers: { cookie: `psa_dev_session=${fakeToken()}` },
    })
    expect(await session.json()).toMatchObject({ access_token: expect.stringMatching(/^e30\./) })
  })
})

/** A token-shaped string the web server reads the expiry of (it never verifies: the gateway does). */
function fakeToken(): string {
  const exp = Math.floor(Date.now() / 1000) + 3600
  return `e30.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}.sig`
}

describe('web server: /api forwarding', () => {
  it('forwards requests with their body and authorization to the gateway', async () => {
    const res = await fetch(`${web.url}/api/agents/quotes?access_token=query-secret`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer header-secret',
        cookie: 'sb-access-token=cookie-secret',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ request: 'Quote 200h senior dev' }),
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(await res.json()).toEqual({
      method: 'POST',
      url: '/api/agents/quotes?access_token=query-secret',
      authorization: 'Bearer header-secret',
      body: JSON.stringify({ request: 'Quote 200h senior dev' }),
    })
  })

  it('streams Server-Sent Events through as they happen', async () => {
    const before = openStreams.length
    const res = await fetch(`${web.url}/api/sessions/s1/events`, {
      headers: { accept: 'text/event-stream', 'accept-encoding': BROWSER_ENCODINGS },
    })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(res.headers.get('content-encoding')).toBeNull()
    const chunks = chunkReader(res.body as ReadableStream<Uint8Array>)
    expect(await chunks.next()).toContain('"status":"processing"')
    const upstream = openStreams[before] as ServerResponse
    upstream.write('id: 2\ndata: {"type":"reasoning","text":"Looking at capacity"}\n\n')
    expect(await chunks.next()).toContain('Looking at capacity')
    upstream.end('id: 3\ndata: {"type":"result"}\n\n')
    expect(await chunks.next()).toContain('"type":"result"')
    expect(await chunks.next()).toBeUndefined()
  })

  it('logs one line per request with method, path, status and duration, and no credentials', async () => {
    const line = lines().find((l) => l.msg === 'request' && l.path === '/api/agents/quotes')
    expect(line).toMatchObject({ method: 'POST', status: 201, service: 'web-test' })
    expect(typeof line?.duration_ms).toBe('number')
    expect(typeof line?.request_id).toBe('string')
    const pageLines = lines().filter((l) => l.msg === 'request' && l.path === '/no-such-page')
    expect(pageLines).toEqual([expect.objectContaining({ method: 'GET', status: 404, level: 'info' })])
    const all = JSON.stringify(lines())
    for (const secret of ['query-secret', 'header-secret', 'cookie-secret']) expect(all).not.toContain(secret)
  })
})

describe('web server: gateway outage', () => {
  it('stays ready and keeps serving pages while the gateway is down, and says the gateway is down', async () => {
    const gatewayReadiness = await fetch(`${web.url}/gateway/readyz`)
    expect(gatewayReadiness.status).toBe(503)
    expect(await gatewayReadiness.json()).toMatchObject({ status: 'not_ready' })

    await gateway.close()
    const unreachable = await fetch(`${web.url}/gateway/readyz`)
    expect(unreachable.status).toBe(503)
    expect(await unreachable.json()).toEqual({
      error: { code: 'UNAVAILABLE', message: 'The API gateway is not reachable' },
    })
    expect((await fetch(`${web.url}/readyz`)).status).toBe(200)
    const signIn = await fetch(`${web.url}/sign-in`)
    expect(signIn.status).toBe(200)
    expect(await signIn.text()).toContain('The API gateway is not reachable')
  })
})

describe('web server: graceful shutdown', () => {
  it('turns unready, refuses new connections, ends event streams and lets in-flight requests finish', async () => {
    // Back on the same port, since the web server was started with that gateway URL.
    gateway = await startGateway(gatewayPort)
    const exits: number[] = []
    const shutdown = new ShutdownManager({ logger, timeoutMs: 10_000, exit: (code) => exits.push(code) })
    // What createServiceContext registers, plus what main.ts registers.
    shutdown.register('readiness', () => health.markDraining(), ShutdownPhase.STOP_ACCEPTING)
    registerShutdownHooks(shutdown, web)

    const stream = await fetch(`${web.url}/api/sessions/s2/events`)
    const events = chunkReader(stream.body as ReadableStream<Uint8Array>)
    expect(await events.next()).toContain('processing')
    const slow = fetch(`${web.url}/api/slow`)
    await expect.poll(() => slowRequestArrived).toBe(true)

    const done = shutdown.shutdown('SIGTERM')
    const readiness = await health.readiness()
    expect(readiness.ready).toBe(false)
    expect(readiness.checks.shutdown).toMatchObject({ ok: false, error: 'shutting down' })
    await expect(fetch(`${web.url}/healthz`)).rejects.toThrow()
    // The stream ends cleanly so EventSource reconnects (with Last-Event-ID) to another replica.
    expect(await events.next()).toBeUndefined()
    const slowRes = await slow
    expect(slowRes.status).toBe(200)
    expect(await slowRes.text()).toBe('slow done')
    await done
    expect(exits).toEqual([0])
    expect(web.server.listening).toBe(false)
    expect(lines()).toContainEqual(
      expect.objectContaining({ msg: 'stopped accepting connections', event_streams_ended: 1 }),
    )
  })
})
