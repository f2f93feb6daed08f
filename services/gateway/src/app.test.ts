import { randomUUID } from 'node:crypto'
import { Validator } from '@seriousme/openapi-schema-validator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayHarness, startGatewayHarness } from './testing/harness.js'

let h: GatewayHarness

beforeAll(async () => {
  h = await startGatewayHarness({ env: { BODY_LIMIT_BYTES: '4096' } })
})
afterAll(async () => {
  await h?.close()
})

function errorOf(response: { json(): unknown }) {
  return (response.json() as { error: { code: string; message: string; details?: unknown } }).error
}

describe('errors', () => {
  it('answers unknown routes with 404 in the error shape', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/nothing-here' })
    expect(res.statusCode).toBe(404)
    expect(errorOf(res)).toMatchObject({
      code: 'NOT_FOUND',
      details: { method: 'GET', path: '/api/nothing-here' },
    })
    expect(res.headers['content-type']).toMatch(/^application\/json/)
  })

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const res = await h.app.inject({ method: 'DELETE', url: `/api/projects/${randomUUID()}` })
    expect(res.statusCode).toBe(405)
    expect(res.headers.allow).toContain('GET')
    expect(errorOf(res).code).toBe('METHOD_NOT_ALLOWED')
    const post = await h.app.inject({ method: 'GET', url: '/api/agents' })
    expect(post.statusCode).toBe(405)
    expect(post.headers.allow).toBe('POST')
  })

  it('refuses bad JSON, wrong types, oversized bodies and other media types with 4xx', async () => {
    const auth = await h.bearer('admin')
    const badJson = await h.app.inject({
      method: 'POST',
      url: '/api/agents',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"type": "quotes", ',
    })
    expect(badJson.statusCode).toBe(400)
    expect(errorOf(badJson).code).toBe('BAD_REQUEST')

    const wrongType = await h.app.inject({
      method: 'POST',
      url: '/api/agents',
      headers: auth,
      payload: { type: 'astrology', request: 42 },
    })
    expect(wrongType.statusCode).toBe(400)
    const err = errorOf(wrongType)
    expect(err.code).toBe('VALIDATION_FAILED')
    expect(err.details).toMatchObject({
      issues: expect.arrayContaining([expect.objectContaining({ location: 'body', path: 'type' })]),
    })

    const big = await h.app.inject({
      method: 'POST',
      url: '/api/agents',
      headers: auth,
      payload: { type: 'quotes', request: 'x'.repeat(10_000) },
    })
    expect(big.statusCode).toBe(413)
    expect(errorOf(big).code).toBe('PAYLOAD_TOO_LARGE')

    const text = await h.app.inject({
      method: 'POST',
      url: '/api/agents',
      headers: { ...auth, 'content-type': 'text/plain' },
      payload: 'plan a project',
    })
    expect(text.statusCode).toBe(415)
    expect(errorOf(text).code).toBe('UNSUPPORTED_MEDIA_TYPE')

    const unknownField = await h.app.inject({
      method: 'POST',
      url: '/api/agents',
      headers: auth,
      payload: { type: 'quotes', request: 'Quote 200h', owner_id: randomUUID() },
    })
    expect(unknownField.statusCode).toBe(400)
    expect(errorOf(unknownField).code).toBe('VALIDATION_FAILED')
  })

  it('turns an unreachable orchestrator into 503 UNAVAILABLE with Retry-After', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: `/api/sessions/${randomUUID()}`,
      headers: await h.bearer('admin'),
    })
    expect(res.statusCode).toBe(503)
    expect(errorOf(res).code).toBe('UNAVAILABLE')
    expect(res.headers['retry-after']).toBeDefined()
  })
})

describe('authentication', () => {
  it('requires a token (401 with a bearer challenge)', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/projects' })
    expect(res.statusCode).toBe(401)
    expect(errorOf(res)).toMatchObject({ code: 'UNAUTHENTICATED', details: { reason: 'missing_token' } })
    expect(res.headers['www-authenticate']).toBe('Bearer')
  })

  it.each([
    ['a malformed header', async () => 'Token abc', 'invalid_authorization_header'],
    ['a malformed token', async () => 'Bearer not.a.jwt', 'malformed_token'],
    [
      'an expired token',
      async () => `Bearer ${await h.token('admin', { now: new Date(Date.now() - 7_200_000), ttlSec: 60 })}`,
      'token_expired',
    ],
    [
      'a tampered token',
      async () => {
        const [header, payload, signature] = (await h.token('viewer')).split('.')
        const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString())
        const forged = Buffer.from(JSON.stringify({ ...claims, sub: h.tenant.users.owner.id })).toString(
          'base64url',
        )
        return `Bearer ${header}.${forged}.${signature}`
      },
      'invalid_signature',
    ],
  ])('refuses %s with 401 and its reason', async (_name, authorization, reason) => {
    const before = await h.metrics.authFailures.get()
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/projects',
      headers: { authorization: await authorization() },
    })
    expect(res.statusCode).toBe(401)
    expect(errorOf(res)).toMatchObject({ code: 'UNAUTHENTICATED', details: { reason } })
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/)
    const after = await h.metrics.authFailures.get()
    const count = (m: typeof after) => m.values.find((v) => v.labels.reason === reason)?.value ?? 0
    expect(count(after)).toBe(count(before) + 1)
  })

  it('answers 401 before looking at the body', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/agents',
      headers: { 'content-type': 'application/json' },
      payload: '{broken',
    })
    expect(res.statusCode).toBe(401)
  })
})

describe('request context', () => {
  it('returns request ids and trace context, and every log line of the request carries the trace id', async () => {
    const traceId = 'c'.repeat(32)
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/projects?page_size=1',
      headers: {
        ...(await h.bearer('admin')),
        'x-request-id': 'req-123',
        traceparent: `00-${traceId}-${'d'.repeat(16)}-01`,
      },
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['x-request-id']).toBe('req-123')
    expect(res.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`))
    expect(res.headers.traceparent).not.toContain('d'.repeat(16))
    const lines = h.logs.lines.filter((l) => l.request_id === 'req-123')
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) expect(line.trace_id).toBe(traceId)
    expect(lines.at(-1)).toMatchObject({ msg: 'request completed', status_code: 200, route: '/api/projects' })

    const fresh = await h.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id with spaces' },
    })
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(fresh.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
  })

  it('never logs tokens', async () => {
    const token = await h.token('admin')
    await h.app.inject({ method: 'GET', url: `/api/sessions/${randomUUID()}/events?access_token=${token}` })
    // The gateway accepts the parameter percent-encoded too; so must the redaction.
    const [, , signature] = token.split('.')
    await h.app.inject({ method: 'GET', url: `/api/sessions/${randomUUID()}/events?access%5Ftoken=${token}` })
    await h.app.inject({ method: 'GET', url: `/api/changes?after=1&access%5ftoken=opaque-${signature}` })
    const logged = JSON.stringify(h.logs.lines)
    expect(logged).not.toContain(token)
    expect(logged).not.toContain(signature)
    expect(logged).toContain('access%5Ftoken=[REDACTED]')
  })

  it('sends security headers', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/healthz' })
    expect(res.headers['content-security-policy']).toContain("default-src 'none'")
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN')
    expect(res.headers['strict-transport-security']).toContain('max-age=31536000')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['x-powered-by']).toBeUndefined()
  })
})

describe('ops', () => {
  it('serves liveness, honest readiness and metrics without a token', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' })
    const ready = await h.app.inject({ method: 'GET', url: '/readyz' })
    // Postgres answers, the orchestrator does not (nothing listens at its address).
    expect(ready.statusCode).toBe(503)
    expect(ready.json()).toMatchObject({
      status: 'not_ready',
      checks: { postgres: { ok: true }, orchestrator: { ok: false } },
    })
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' })
    expect(metrics.statusCode).toBe(200)
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/)
    for (const name of [
      'psa_http_request_duration_seconds_bucket{',
      'psa_gateway_sse_clients',
      'psa_gateway_sse_events_relayed_total',
      'psa_gateway_auth_failures_total{',
      'psa_gateway_event_relay_latency_seconds',
    ]) {
      expect(metrics.body).toContain(name)
    }
    expect(metrics.body).toMatch(/psa_http_request_duration_seconds_count\{[^}]*route="\/healthz"[^}]*\} \d+/)
  })

  it('publishes a valid OpenAPI 3.1 document listing every route', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/openapi.json' })
    expect(res.statusCode).toBe(200)
    const doc = res.json()
    const result = await new Validator().validate(doc)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
    const paths = Object.fromEntries(
      Object.entries(doc.paths as Record<string, Record<string, unknown>>).map(([p, ops]) => [
        p,
        Object.keys(ops).sort(),
      ]),
    )
    expect(paths).toMatchObject({
      '/api/agents': ['post'],
      '/api/agents/project': ['post'],
      '/api/agents/resource': ['post'],
      '/api/agents/quotes': ['post'],
      '/api/sessions': ['get'],
      '/api/sessions/{id}': ['get'],
      '/api/sessions/{id}/cancel': ['post'],
      '/api/sessions/{id}/queue-position': ['get'],
      '/api/sessions/{id}/events': ['get'],
      '/api/agents/status/{session_id}': ['get'],
      // The original agent runtime's routes, for its clients pointed at the gateway.
      '/agents/process': ['post'],
      '/agents/status/{session_id}': ['get'],
      '/api/projects': ['get'],
      '/api/projects/{id}': ['get'],
      '/api/resources': ['get'],
      '/api/resources/{id}': ['get'],
      '/api/quotes': ['get'],
      '/api/quotes/{id}': ['get'],
      '/api/clients': ['get'],
      '/api/clients/{id}': ['get'],
      '/api/proposals': ['get'],
      '/api/proposals/{id}': ['get'],
      '/api/proposals/{id}/apply': ['post'],
      '/api/proposals/{id}/reject': ['post'],
      '/api/proposals/{id}/revert': ['post'],
      '/healthz': ['get'],
      '/readyz': ['get'],
    })
    const submit = doc.paths['/api/agents'].post
    expect(Object.keys(submit.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '429', '500']))
    expect(doc.paths['/api/sessions/{id}/events'].get.responses['200'].content).toHaveProperty(
      'text/event-stream',
    )
    expect(doc.components.schemas).toHaveProperty('AgentResponse')
    expect(doc.components.schemas).toHaveProperty('ErrorBody')
    // The customer's types: processing_time_ms and agents_involved always present, as number and array.
    const response = doc.components.schemas.AgentResponse
    expect(response.required).toEqual(
      expect.arrayContaining(['session_id', 'status', 'agents_involved', 'processing_time_ms']),
    )
    expect(response.properties.processing_time_ms.type).toBe('integer')
    expect(response.properties.agents_involved.type).toBe('array')
    expect(response.required).not.toContain('error')
    // One request schema for both families.
    const body = (path: string) => doc.paths[path].post.requestBody.content['application/json'].schema
    expect(body('/agents/process')).toEqual(body('/api/agents'))
    expect(doc.paths['/agents/process'].post.tags).toEqual(['runtime'])
  })
})
