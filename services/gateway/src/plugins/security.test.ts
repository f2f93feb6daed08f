import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayHarness, startGatewayHarness } from '../testing/harness.js'

let h: GatewayHarness

beforeAll(async () => {
  h = await startGatewayHarness({ env: { CORS_ORIGINS: 'https://app.example.com' } })
})
afterAll(async () => {
  await h?.close()
})

describe('CORS', () => {
  it('answers preflights for configured origins only', async () => {
    const preflight = (origin: string) =>
      h.app.inject({
        method: 'OPTIONS',
        url: '/api/agents',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      })
    const allowed = await preflight('https://app.example.com')
    expect(allowed.statusCode).toBe(204)
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com')
    expect(allowed.headers['access-control-allow-headers']).toContain('authorization')
    const other = await preflight('https://evil.example')
    expect(other.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('still answers unknown paths with 404', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/nowhere',
      headers: { origin: 'https://app.example.com' },
    })
    expect(res.statusCode).toBe(404)
  })

  it('exposes the request id and trace headers to allowed origins', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/clients',
      headers: { origin: 'https://app.example.com', ...(await h.bearer('admin')) },
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com')
    expect(res.headers['access-control-expose-headers']).toContain('x-request-id')
  })
})
