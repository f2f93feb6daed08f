import { describe, expect, it } from 'vitest'
import { fetchBackendHealth, interpretReadiness } from './backend-health'

describe('interpretReadiness', () => {
  it('reads a ready gateway and lists its checks by name', () => {
    const body = {
      status: 'ready',
      checks: { postgres: { ok: true, latency_ms: 2 }, nats: { ok: true, latency_ms: 1 } },
    }
    expect(interpretReadiness(200, body)).toEqual({
      state: 'ready',
      checks: [
        { name: 'nats', ok: true },
        { name: 'postgres', ok: true },
      ],
    })
  })

  it('reads a running gateway whose dependencies are failing', () => {
    const body = {
      status: 'not_ready',
      checks: { postgres: { ok: false, latency_ms: 2000, error: 'timed out' } },
    }
    expect(interpretReadiness(503, body)).toEqual({
      state: 'not_ready',
      checks: [{ name: 'postgres', ok: false, error: 'timed out' }],
    })
  })

  it("reports the web server's proxy error when the gateway cannot be reached", () => {
    const body = { error: { code: 'UNAVAILABLE', message: 'The API gateway is not reachable' } }
    expect(interpretReadiness(503, body)).toEqual({
      state: 'unreachable',
      reason: 'The API gateway is not reachable',
    })
  })

  it('treats anything else as unreachable, saying what came back', () => {
    expect(interpretReadiness(404, '<html>')).toEqual({
      state: 'unreachable',
      reason: 'The API gateway gave an unexpected answer (HTTP 404)',
    })
    expect(interpretReadiness(200, { status: 'weird' }).state).toBe('unreachable')
  })
})

describe('fetchBackendHealth', () => {
  it('asks this origin for the gateway readiness without caching', async () => {
    const calls: [string, RequestInit | undefined][] = []
    const fakeFetch = (async (input: string, init?: RequestInit) => {
      calls.push([input, init])
      return Response.json({ status: 'ready', checks: {} })
    }) as typeof fetch
    expect(await fetchBackendHealth(undefined, fakeFetch)).toEqual({ state: 'ready', checks: [] })
    expect(calls[0]?.[0]).toBe('/gateway/readyz')
    expect(calls[0]?.[1]?.cache).toBe('no-store')
  })

  it('says when the site itself cannot be reached, and when the answer timed out', async () => {
    const failing = (async () => {
      throw new TypeError('fetch failed')
    }) as typeof fetch
    expect(await fetchBackendHealth(undefined, failing)).toEqual({
      state: 'unreachable',
      reason: 'This site could not be reached to ask about the backend',
    })
    expect(await fetchBackendHealth(AbortSignal.abort(), failing)).toEqual({
      state: 'unreachable',
      reason: 'The backend did not answer in time',
    })
  })
})
