import type { Metadata } from '@grpc/grpc-js'
import { AgentRequest, type AgentResponse, AgentType, SessionStatus } from '@psa/proto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from './testing/harness.js'

let h: Harness

beforeAll(async () => {
  h = await startHarness('adm', { MAX_IN_FLIGHT_PER_USER: '10000' })
})
afterAll(async () => {
  await h?.close()
})

function submitOnce(metadata: Metadata, i: number): Promise<AgentResponse> {
  const request = AgentRequest.fromPartial({
    type: AgentType.AGENT_TYPE_QUOTES,
    request: `Quote ${i}: 200h senior dev + 80h design at 30% margin, client rate card, 5% discount`,
    context: { client: 'Acme', hours: { senior_dev: 200, design: 80 } },
  })
  return new Promise((resolve, reject) =>
    h.client.submitRequest(request, metadata, (err, res) => (err ? reject(err) : resolve(res))),
  )
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number

describe('admission latency (in-process, real Postgres and JetStream)', () => {
  it('admits 500 sequential submits with a p99 well under the budget', async () => {
    const metadata = await h.as(h.tenants.alice)
    // Warm the connection pools and the JWKS cache.
    for (let i = 0; i < 20; i++) await submitOnce(metadata, i)
    const samples: number[] = []
    for (let i = 0; i < 500; i++) {
      const started = performance.now()
      const response = await submitOnce(metadata, i)
      samples.push(performance.now() - started)
      expect(response.status).toBe(SessionStatus.SESSION_STATUS_QUEUED)
    }
    samples.sort((a, b) => a - b)
    const line = `SubmitRequest over ${samples.length} sequential calls: p50 ${percentile(samples, 50).toFixed(2)} ms, p99 ${percentile(samples, 99).toFixed(2)} ms, max ${percentile(samples, 100).toFixed(2)} ms`
    console.log(line)
    expect(percentile(samples, 99)).toBeLessThan(250)
    const stream = await h.orchestrator.nats.jsm.streams.info(h.orchestrator.topology.requestsStream)
    expect(stream.state.messages).toBe(520)
  }, 120_000)

  it('keeps every submit of concurrent users admitted exactly once', async () => {
    const users = [h.tenants.bob, h.tenants.carol, h.tenants.maria, h.tenants.oscar]
    const metadata = await Promise.all(users.map((u) => h.as(u)))
    const started = performance.now()
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => submitOnce(metadata[i % metadata.length] as Metadata, i)),
    )
    const seconds = (performance.now() - started) / 1000
    console.log(`200 submits from 4 users at once: ${(200 / seconds).toFixed(0)}/s`)
    expect(new Set(responses.map((r) => r.sessionId)).size).toBe(200)
    const stream = await h.orchestrator.nats.jsm.streams.info(h.orchestrator.topology.requestsStream)
    expect(stream.state.messages).toBe(720)
  }, 120_000)
})
