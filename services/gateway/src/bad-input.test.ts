import { randomUUID } from 'node:crypto'
import type { InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayHarness, startGatewayHarness } from './testing/harness.js'

let h: GatewayHarness
let auth: { authorization: string }

beforeAll(async () => {
  h = await startGatewayHarness({ orchestrator: true })
  auth = await h.bearer('admin')
})
afterAll(async () => {
  await h?.close()
})

const id = randomUUID()
const json = { 'content-type': 'application/json' }
const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`

/** Requests that are wrong in every way we could think of; none may ever produce a 5xx. */
const BAD: [string, Omit<InjectOptions, 'headers'> & { headers?: Record<string, string> }][] = [
  ['non-uuid session id', { method: 'GET', url: '/api/sessions/../../etc/passwd' }],
  ['non-uuid session id (events)', { method: 'GET', url: '/api/sessions/1;drop table x/events' }],
  ['bad percent-encoding', { method: 'GET', url: '/api/projects/%E0%A4%A' }],
  ['null byte in id', { method: 'GET', url: '/api/projects/%00' }],
  ['uuid with trailing junk', { method: 'GET', url: `/api/projects/${id}x` }],
  ['repeated query parameter', { method: 'GET', url: '/api/projects?status=active&status=completed' }],
  ['unknown enum value', { method: 'GET', url: '/api/projects?status=deleted' }],
  ['page_size not a number', { method: 'GET', url: '/api/projects?page_size=ten' }],
  ['page_size zero', { method: 'GET', url: '/api/resources?page_size=0' }],
  ['page_size float', { method: 'GET', url: '/api/quotes?page_size=2.5' }],
  ['page_size huge', { method: 'GET', url: '/api/clients?page_size=99999999999999999999' }],
  ['page_token garbage', { method: 'GET', url: '/api/proposals?page_token=%F0%9F%92%A9' }],
  [
    'page_token of another list',
    { method: 'GET', url: `/api/quotes?page_token=${Buffer.from('["a","b"]').toString('base64url')}` },
  ],
  ['q too long', { method: 'GET', url: `/api/projects?q=${'x'.repeat(500)}` }],
  [
    'organisation header not a uuid',
    { method: 'GET', url: '/api/clients', headers: { 'x-organisation-id': "' or 1=1 --" } },
  ],
  ['organisation of nobody', { method: 'GET', url: '/api/clients', headers: { 'x-organisation-id': id } }],
  ['min_proficiency negative', { method: 'GET', url: '/api/resources?min_proficiency=-1' }],
  ['sessions: bad status', { method: 'GET', url: '/api/sessions?status=running' }],
  ['sessions: bad mine flag', { method: 'GET', url: '/api/sessions?mine=maybe' }],
  ['sessions: forged page token', { method: 'GET', url: '/api/sessions?page_token=AAAA' }],
  ['events: negative after', { method: 'GET', url: `/api/sessions/${id}/events?after=-1` }],
  ['events: after not a number', { method: 'GET', url: `/api/sessions/${id}/events?after=abc` }],
  ['events: unknown session', { method: 'GET', url: `/api/sessions/${id}/events` }],
  ['queue position: unknown session', { method: 'GET', url: `/api/sessions/${id}/queue-position` }],
  ['cancel: unknown session', { method: 'POST', url: `/api/sessions/${id}/cancel` }],
  [
    'cancel: reason too long',
    { method: 'POST', url: `/api/sessions/${id}/cancel`, payload: { reason: 'x'.repeat(600) } },
  ],
  ['submit: empty JSON body', { method: 'POST', url: '/api/agents', headers: json, payload: '' }],
  ['submit: JSON null', { method: 'POST', url: '/api/agents', headers: json, payload: 'null' }],
  ['submit: JSON array', { method: 'POST', url: '/api/agents', headers: json, payload: '[1,2]' }],
  ['submit: JSON number', { method: 'POST', url: '/api/agents', headers: json, payload: '42' }],
  ['submit: truncated JSON', { method: 'POST', url: '/api/agents', headers: json, payload: '{"type":' }],
  ['submit: deeply nested JSON', { method: 'POST', url: '/api/agents', headers: json, payload: deep }],
  [
    'submit: prototype pollution',
    {
      method: 'POST',
      url: '/api/agents',
      headers: json,
      payload: '{"__proto__":{"admin":true},"type":"quotes"}',
    },
  ],
  [
    'submit: constructor pollution',
    {
      method: 'POST',
      url: '/api/agents',
      headers: json,
      payload: '{"constructor":{"prototype":{"x":1}},"type":"quotes","request":"x"}',
    },
  ],
  [
    'submit: wrong content type',
    { method: 'POST', url: '/api/agents', headers: { 'content-type': 'application/xml' }, payload: '<a/>' },
  ],
  [
    'submit: form encoded',
    {
      method: 'POST',
      url: '/api/agents',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'type=quotes',
    },
  ],
  [
    'submit: context not an object',
    { method: 'POST', url: '/api/agents', payload: { type: 'quotes', request: 'x', context: 'a' } },
  ],
  [
    'submit: request too long',
    { method: 'POST', url: '/api/agents', payload: { type: 'quotes', request: 'x'.repeat(20_001) } },
  ],
  [
    'submit: nul characters',
    { method: 'POST', url: '/api/agents', payload: { type: 'quotes', request: 'a\u0000b' } },
  ],
  [
    'submit: NUL in context',
    {
      method: 'POST',
      url: '/api/agents',
      payload: { type: 'quotes', request: 'x', context: { a: ['\u0000'] } },
    },
  ],
  [
    'submit: foreign organisation',
    { method: 'POST', url: '/api/agents', payload: { type: 'quotes', request: 'x', organisation_id: id } },
  ],
  [
    'submit: existing session id of another user',
    { method: 'POST', url: '/api/agents/quotes', payload: { request: 'x', session_id: 'SESSION' } },
  ],
  [
    'shortcut: type given',
    { method: 'POST', url: '/api/agents/quotes', payload: { type: 'quotes', request: 'x' } },
  ],
  ['apply: unknown proposal', { method: 'POST', url: `/api/proposals/${id}/apply` }],
  [
    'apply: expected_version negative',
    { method: 'POST', url: `/api/proposals/${id}/apply`, payload: { expected_version: -1 } },
  ],
  [
    'apply: expected_version huge',
    { method: 'POST', url: `/api/proposals/${id}/revert`, payload: { expected_version: 1e20 } },
  ],
  [
    'reject: body is a string',
    { method: 'POST', url: `/api/proposals/${id}/reject`, headers: json, payload: '"yes"' },
  ],
  ['unknown route', { method: 'GET', url: '/api/v2/everything' }],
  ['wrong method', { method: 'PUT', url: '/api/proposals' }],
  ['PATCH on submit', { method: 'PATCH', url: '/api/agents', payload: {} }],
  ['very long URL', { method: 'GET', url: `/api/projects?q=${'y'.repeat(7_000)}` }],
  [
    'submit: context nested 1,500 levels',
    {
      method: 'POST',
      url: '/api/agents',
      headers: json,
      payload: `{"type":"quotes","request":"x","context":${'{"a":'.repeat(1_500)}1${'}'.repeat(1_500)}}`,
    },
  ],
  [
    'submit: context nested in arrays',
    {
      method: 'POST',
      url: '/api/agents',
      headers: json,
      payload: `{"type":"quotes","request":"x","context":{"a":${'['.repeat(1_500)}${']'.repeat(1_500)}}}`,
    },
  ],
  ...['projects', 'clients', 'resources', 'quotes', 'resources/capacity'].map(
    (list): (typeof BAD)[number] => [
      `NUL byte in q on ${list}`,
      { method: 'GET', url: `/api/${list}?q=a%00b` },
    ],
  ),
  ['NUL byte in an enum parameter', { method: 'GET', url: '/api/projects?status=active%00' }],
]

describe('bad input never produces a 5xx', () => {
  beforeAll(async () => {
    // A session that belongs to someone else, for the "existing session id" case.
    const other = await h.app.inject({
      method: 'POST',
      url: '/api/agents/quotes',
      headers: await h.bearer('member'),
      payload: { request: 'Quote it' },
    })
    const sessionId = other.json().session_id as string
    const entry = BAD.find(([name]) => name === 'submit: existing session id of another user')
    if (entry) (entry[1].payload as { session_id: string }).session_id = sessionId
  })

  it.each(BAD)('%s', async (_name, request) => {
    const res = await h.app.inject({ ...request, headers: { ...auth, ...request.headers } } as InjectOptions)
    expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400)
    expect(res.statusCode, res.body).toBeLessThan(500)
    const body = res.json()
    expect(body.error.code).toMatch(/^[A-Z_]+$/)
    expect(typeof body.error.message).toBe('string')
    expect(body.error.message).not.toMatch(/select |insert |postgres|stack|at .*\.ts/i)
  })
})
