import { request, type ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasDotSegment, isGatewayPath } from './gateway-paths.js'
import { createGatewayProxy, type GatewayProxy } from './gateway-proxy.js'
import { chunkReader, listen, memoryLogger, type RunningServer, readBody } from './test-servers.js'

// A browser always offers compression; Next's own proxy buffered event streams exactly in that case.
const BROWSER_ENCODINGS = 'gzip, deflate, br, zstd'

let gateway: RunningServer
let web: RunningServer
let proxy: GatewayProxy
/** Event-stream responses the fake gateway holds open; the test decides when each next event is sent. */
const openStreams: ServerResponse[] = []
const upstreamClosed: string[] = []

beforeAll(async () => {
  gateway = await listen(async (req, res) => {
    const url = req.url ?? '/'
    if (url === '/readyz') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ status: 'ready', checks: { db: { ok: true, latency_ms: 1 } } }))
    } else if (url.startsWith('/api/sessions/s1/events')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      res.write('id: 1\ndata: {"type":"status"}\n\n')
      openStreams.push(res)
      req.once('close', () => upstreamClosed.push(url))
    } else if (url === '/api/crash-mid-stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: first\n\n')
      setTimeout(() => res.socket?.destroy(), 50)
    } else {
      const body = await readBody(req)
      res.writeHead(201, { 'content-type': 'application/json', 'x-gateway': 'yes' })
      res.end(JSON.stringify({ method: req.method, url, headers: req.headers, body }))
    }
  })
  const { logger } = memoryLogger()
  proxy = createGatewayProxy({ gatewayUrl: `${gateway.url}/`, logger })
  web = await listen((req, res) => proxy.forward(req, res, (req.url ?? '/').split('?')[0] ?? '/'))
})

afterAll(async () => {
  await web.close()
  await gateway.close()
})

describe('isGatewayPath', () => {
  it('claims /api and the gateway readiness path, and nothing that merely starts alike', () => {
    expect(isGatewayPath('/api')).toBe(true)
    expect(isGatewayPath('/api/projects/1')).toBe(true)
    expect(isGatewayPath('/gateway/readyz')).toBe(true)
    expect(isGatewayPath('/apis')).toBe(false)
    expect(isGatewayPath('/readyz')).toBe(false)
    expect(isGatewayPath('/')).toBe(false)
  })
})

describe('hasDotSegment', () => {
  it('spots plain and percent-encoded dot segments only', () => {
    expect(hasDotSegment('/api/../metrics')).toBe(true)
    expect(hasDotSegment('/api/%2E%2e/metrics')).toBe(true)
    expect(hasDotSegment('/api/./projects')).toBe(true)
    expect(hasDotSegment('/api/..')).toBe(true)
    expect(hasDotSegment('/api/projects/v1.2')).toBe(false)
    expect(hasDotSegment('/api/files/..hidden')).toBe(false)
  })
})

describe('gateway proxy', () => {
  it('refuses paths that could climb out of /api on the gateway', async () => {
    // Sent raw: fetch (like browsers) would resolve the dots itself; curl --path-as-is and scanners do not.
    for (const path of ['/api/../metrics', '/api/%2e%2e/metrics']) {
      const res = await rawGet(web.url, path)
      expect(res.status).toBe(400)
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'BAD_REQUEST' } })
    }
  })

  it('passes method, path, query, body and credentials through, and the answer back', async () => {
    const res = await fetch(`${web.url}/api/agents?dry_run=true`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer abc.def.ghi',
        cookie: 'sb=1',
        'content-type': 'application/json',
        'x-request-id': 'req-1',
      },
      body: JSON.stringify({ type: 'quotes', request: 'Quote 200h' }),
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('x-gateway')).toBe('yes')
    const echoed = (await res.json()) as {
      method: string
      url: string
      headers: Record<string, string>
      body: string
    }
    expect(echoed.method).toBe('POST')
    expect(echoed.url).toBe('/api/agents?dry_run=true')
    expect(JSON.parse(echoed.body)).toEqual({ type: 'quotes', request: 'Quote 200h' })
    expect(echoed.headers.authorization).toBe('Bearer abc.def.ghi')
    expect(echoed.headers.cookie).toBe('sb=1')
    expect(echoed.headers['x-request-id']).toBe('req-1')
    expect(echoed.headers['x-forwarded-for']).toBe('127.0.0.1')
    expect(echoed.headers['x-forwarded-host']).toBe(new URL(web.url).host)
    expect(echoed.headers['x-forwarded-proto']).toBe('http')
    expect(echoed.headers.host).toBe(new URL(gateway.url).host)
  })

  it("answers /gateway/readyz with the gateway's own readiness", async () => {
    const res = await fetch(`${web.url}/gateway/readyz?ignored=1`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ready', checks: { db: { ok: true, latency_ms: 1 } } })
    const post = await fetch(`${web.url}/gateway/readyz`, { method: 'POST' })
    expect(post.status).toBe(405)
    expect(await post.json()).toMatchObject({ error: { code: 'METHOD_NOT_ALLOWED' } })
  })

  it('streams Server-Sent Events event by event, uncompressed', async () => {
    const before = openStreams.length
    const res = await fetch(`${web.url}/api/sessions/s1/events`, {
      headers: { accept: 'text/event-stream', 'accept-encoding': BROWSER_ENCODINGS },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(res.headers.get('content-encoding')).toBeNull()
    expect(res.headers.get('x-accel-buffering')).toBe('no')
    const chunks = chunkReader(res.body as ReadableStream<Uint8Array>)
    // The first event arrives while the gateway still holds the stream open: nothing waits for its end.
    expect(await chunks.next()).toBe('id: 1\ndata: {"type":"status"}\n\n')
    const upstream = openStreams[before] as ServerResponse
    upstream.write('id: 2\ndata: {"type":"reasoning"}\n\n')
    expect(await chunks.next()).toBe('id: 2\ndata: {"type":"reasoning"}\n\n')
    upstream.end('id: 3\ndata: {"type":"result"}\n\n')
    expect(await chunks.next()).toBe('id: 3\ndata: {"type":"result"}\n\n')
    expect(await chunks.next()).toBeUndefined()
  })

  it('closes the gateway request when the browser goes away', async () => {
    const controller = new AbortController()
    const closedBefore = upstreamClosed.length
    const res = await fetch(`${web.url}/api/sessions/s1/events?client=leaves`, { signal: controller.signal })
    await chunkReader(res.body as ReadableStream<Uint8Array>).next()
    controller.abort()
    await expect.poll(() => upstreamClosed.length).toBe(closedBefore + 1)
    expect(upstreamClosed.at(-1)).toBe('/api/sessions/s1/events?client=leaves')
  })

  it('ends open event streams cleanly on request, and closes them upstream', async () => {
    const closedBefore = upstreamClosed.length
    const res = await fetch(`${web.url}/api/sessions/s1/events?client=stays`)
    const chunks = chunkReader(res.body as ReadableStream<Uint8Array>)
    await chunks.next()
    expect(proxy.openStreams).toBe(1)
    proxy.endStreams()
    // A clean end (not an error) is what makes EventSource reconnect, with Last-Event-ID, elsewhere.
    expect(await chunks.next()).toBeUndefined()
    await expect.poll(() => upstreamClosed.length).toBe(closedBefore + 1)
    expect(proxy.openStreams).toBe(0)
  })

  it('breaks the response when the gateway dies mid-stream instead of leaving the browser waiting', async () => {
    const res = await fetch(`${web.url}/api/crash-mid-stream`)
    const chunks = chunkReader(res.body as ReadableStream<Uint8Array>)
    expect(await chunks.next()).toBe('data: first\n\n')
    await expect(chunks.next()).rejects.toThrow()
  })

  it('answers with the error shape when the gateway is not reachable', async () => {
    const closedPort = await listen(() => {})
    const url = closedPort.url
    await closedPort.close()
    const { logger, lines } = memoryLogger()
    const downProxy = createGatewayProxy({ gatewayUrl: url, logger })
    const down = await listen((req, res) =>
      downProxy.forward(req, res, (req.url ?? '/').split('?')[0] ?? '/'),
    )
    try {
      const res = await fetch(`${down.url}/api/projects`, {
        headers: { authorization: 'Bearer secret-token' },
      })
      expect(res.status).toBe(503)
      expect(await res.json()).toEqual({
        error: { code: 'UNAVAILABLE', message: 'The API gateway is not reachable' },
      })
      const readiness = await fetch(`${down.url}/gateway/readyz`)
      expect(readiness.status).toBe(503)
      expect(lines()).toContainEqual(
        expect.objectContaining({ msg: 'gateway request failed', code: 'ECONNREFUSED' }),
      )
      expect(JSON.stringify(lines())).not.toContain('secret-token')
    } finally {
      await down.close()
    }
  })
})

/** GET with the path exactly as given. */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    request({ hostname, port, path, method: 'GET' }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
      .on('error', reject)
      .end()
  })
}
