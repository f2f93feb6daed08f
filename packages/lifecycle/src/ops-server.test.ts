import { Writable } from 'node:stream'
import { createLogger } from '@psa/config'
import { afterAll, describe, expect, it } from 'vitest'
import { Health } from './health.js'
import { Counter, createMetricsRegistry } from './metrics.js'
import { startOpsServer } from './ops-server.js'

const logger = createLogger({
  service: 'test',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, d) => d() }),
})
const health = new Health()
let ready = true
health.addReadinessCheck('dep', () => ready)
const registry = createMetricsRegistry('ops-test')
new Counter({ name: 'psa_test_things_total', help: 'things', registers: [registry] }).inc(3)
const ops = await startOpsServer({ port: 0, host: '127.0.0.1', health, registry, logger })
const base = `http://127.0.0.1:${ops.port}`
afterAll(() => ops.close())

describe('ops server', () => {
  it('answers liveness regardless of dependencies', async () => {
    ready = false
    const res = await fetch(`${base}/healthz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it('answers readiness from the checks', async () => {
    ready = true
    expect((await fetch(`${base}/readyz`)).status).toBe(200)
    ready = false
    const res = await fetch(`${base}/readyz`)
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ status: 'not_ready', checks: { dep: { ok: false } } })
  })

  it('serves Prometheus metrics with the service label', async () => {
    const res = await fetch(`${base}/metrics`)
    expect(res.headers.get('content-type')).toContain('text/plain')
    const body = await res.text()
    expect(body).toContain('psa_test_things_total{service="ops-test"} 3')
    expect(body).toContain('process_cpu_seconds_total')
  })

  it('answers unknown paths and methods with the error shape', async () => {
    const missing = await fetch(`${base}/nope`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } })
    const post = await fetch(`${base}/healthz`, { method: 'POST' })
    expect(post.status).toBe(405)
  })
})
