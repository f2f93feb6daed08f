import autocannon from 'autocannon'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayHarness, startGatewayHarness } from './testing/harness.js'

// A load measurement, not a correctness test: run it on purpose with
//   GATEWAY_LOAD=1 npx vitest run services/gateway/src/load.test.ts
// It drives the listening gateway (real Postgres, real orchestrator in-process, real NATS) with autocannon.
const enabled = process.env.GATEWAY_LOAD === '1'
const DURATION_S = Number(process.env.GATEWAY_LOAD_SECONDS ?? 10)
const CONNECTIONS = Number(process.env.GATEWAY_LOAD_CONNECTIONS ?? 10)

let h: GatewayHarness

describe.runIf(enabled)('gateway under load', () => {
  beforeAll(async () => {
    h = await startGatewayHarness({
      orchestrator: true,
      listen: true,
      logLevel: 'warn',
      // The orchestrator's submit holds a pooled connection (under a per-user advisory lock) while it opens
      // more for the queue position and the event writer: with as many concurrent submits as pool
      // connections it stalls until the deadline. A larger pool keeps this measurement about throughput.
      orchestratorEnv: {
        MAX_IN_FLIGHT_PER_USER: '1000000',
        DATABASE_POOL_MAX: process.env.GATEWAY_LOAD_ORCH_POOL ?? '30',
      },
    })
  })
  afterAll(async () => {
    await h?.close()
  })

  async function run(title: string, options: autocannon.Options) {
    const result = await autocannon({ duration: DURATION_S, connections: CONNECTIONS, ...options })
    const line = {
      title,
      connections: CONNECTIONS,
      duration_s: DURATION_S,
      requests: result.requests.total,
      rps_mean: Math.round(result.requests.average),
      p50_ms: result.latency.p50,
      p90_ms: result.latency.p90,
      p99_ms: result.latency.p99,
      max_ms: result.latency.max,
      non2xx: result.non2xx,
      errors: result.errors,
    }
    process.stdout.write(`${JSON.stringify(line)}\n`)
    return result
  }

  it('GET /api/sessions/:id', { timeout: 120_000 }, async () => {
    const authorization = (await h.bearer('admin')).authorization
    const submitted = await fetch(`${h.baseUrl}/api/agents/quotes`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ request: 'Quote 200h senior dev at 30% margin' }),
    })
    const { session_id } = (await submitted.json()) as { session_id: string }
    const result = await run('GET /api/sessions/:id', {
      url: `${h.baseUrl}/api/sessions/${session_id}`,
      headers: { authorization },
    })
    expect(result.non2xx).toBe(0)
    expect(result.errors).toBe(0)
  })

  it('GET /api/projects/:id (a domain read under RLS, for comparison)', { timeout: 120_000 }, async () => {
    const result = await run('GET /api/projects/:id', {
      url: `${h.baseUrl}/api/projects/${h.tenant.ids.project}`,
      headers: await h.bearer('admin'),
    })
    expect(result.non2xx).toBe(0)
  })

  it('POST /api/agents', { timeout: 120_000 }, async () => {
    const authorization = (await h.bearer('admin')).authorization
    const result = await run('POST /api/agents', {
      url: `${h.baseUrl}/api/agents`,
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'quotes', request: 'Quote 200h senior dev + 80h design at 30% margin' }),
    })
    expect(result.non2xx).toBe(0)
    expect(result.errors).toBe(0)
  })
})
