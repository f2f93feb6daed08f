import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayHarness, startGatewayHarness } from '../testing/harness.js'

let h: GatewayHarness

beforeAll(async () => {
  h = await startGatewayHarness({ env: { RATE_LIMIT_PER_MINUTE: '3' } })
})
afterAll(async () => {
  await h?.close()
})

describe('rate limit', () => {
  it('limits each user on their own, with 429, Retry-After and the error shape', async () => {
    const admin = await h.bearer('admin')
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      statuses.push((await h.app.inject({ method: 'GET', url: '/api/clients', headers: admin })).statusCode)
    }
    expect(statuses).toEqual([200, 200, 200, 429])
    const limited = await h.app.inject({ method: 'GET', url: '/api/projects', headers: admin })
    expect(limited.statusCode).toBe(429)
    expect(limited.json().error).toMatchObject({
      code: 'RATE_LIMITED',
      details: { limit: 3, window_seconds: 60 },
    })
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    expect(limited.headers['x-ratelimit-limit']).toBe('3')
    // Another user behind the same address has a budget of their own.
    const member = await h.app.inject({
      method: 'GET',
      url: '/api/clients',
      headers: await h.bearer('member'),
    })
    expect(member.statusCode).toBe(200)
    expect((await h.metrics.rateLimited.get()).values[0]?.value).toBeGreaterThanOrEqual(2)
  })

  it('limits requests without a valid token per client IP', async () => {
    const from = (ip: string) => h.app.inject({ method: 'GET', url: '/api/projects', remoteAddress: ip })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await from('203.0.113.7')).statusCode)
    expect(statuses).toEqual([401, 401, 401, 429])
    expect((await from('203.0.113.8')).statusCode).toBe(401)
  })

  it('never limits the probes', async () => {
    for (let i = 0; i < 6; i++) {
      expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    }
  })
})
