// Fault suite: the orchestrator process SIGKILLed while a client follows a session's events through the
// gateway (SSE). The client reconnects with Last-Event-ID, as EventSource does, once an orchestrator answers
// again, and must end up with every event exactly once: no gap, no duplicate. The worker keeps emitting
// while the orchestrator is down (its events go to NATS and Postgres, not through the orchestrator).

import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { SessionEventBody } from '@psa/agent-pipeline'
import { startTestOrchestrator, type TestOrchestrator } from '@psa/orchestrator/testing'
import {
  buildService,
  freePort,
  killServiceProcesses,
  type ServiceProcess,
  startServiceProcess,
  testDatabaseUrl,
  testNamespace,
} from '@psa/test-kit'
import { createParser } from 'eventsource-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayHarness, startGatewayHarness } from './testing/harness.js'

const orchestratorDir = fileURLToPath(new URL('../../orchestrator', import.meta.url))
const KILLS = Number(process.env.FAULT_ORCHESTRATOR_KILLS ?? 2)

let h: GatewayHarness
let port: number
let namespace: string
let orchestrator: ServiceProcess | undefined
let worker: TestOrchestrator

async function startOrchestratorProcess(): Promise<void> {
  orchestrator = startServiceProcess(orchestratorDir, {
    PIPELINE_NAMESPACE: namespace,
    SUPABASE_URL: h.auth.supabaseUrl,
    GRPC_PORT: String(port),
    OPS_PORT: '0',
    HOST: '127.0.0.1',
    ORCHESTRATOR_AGENT_ENABLED: 'false',
  })
  await orchestrator.waitForLog('orchestrator listening', 30_000)
}

beforeAll(async () => {
  buildService(orchestratorDir)
  port = await freePort()
  namespace = testNamespace('t_okill')
  h = await startGatewayHarness({
    listen: true,
    env: { ORCHESTRATOR_ADDRESS: `127.0.0.1:${port}`, ORCHESTRATOR_TIMEOUT_MS: '3000', SSE_RETRY_MS: '200' },
  })
  await startOrchestratorProcess()
  // The worker's side of the pipeline, in this process (it never talks to the killed orchestrator).
  worker = await startTestOrchestrator({
    databaseUrl: testDatabaseUrl(),
    supabaseUrl: h.auth.supabaseUrl,
    namespace,
  })
}, 180_000)
afterAll(async () => {
  killServiceProcesses()
  await worker?.close()
  await h?.close()
  console.info(`orchestrator kill suite: ${KILLS} SIGKILLs injected while streaming`)
})

/** One SSE connection: events until the server ends it (or the connection breaks). */
async function follow(sessionId: string, lastEventId: string | undefined, onEvent: (id: string) => void) {
  const res = await fetch(`${h.baseUrl}/api/sessions/${sessionId}/events`, {
    headers: { ...(await h.bearer('member')), ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
  })
  if (res.status !== 200 || !res.body) return { status: res.status }
  const parser = createParser({ onEvent: (e) => e.id && onEvent(e.id) })
  const decoder = new TextDecoder()
  try {
    for await (const chunk of res.body) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }))
  } catch {
    // The connection broke: reconnect like EventSource.
  }
  return { status: 200 }
}

describe('orchestrator SIGKILLed while a client streams', () => {
  it('the client resumes from Last-Event-ID with no gap and no duplicate', async () => {
    const submitted = await h.app.inject({
      method: 'POST',
      url: '/api/agents/quotes',
      headers: await h.bearer('member'),
      payload: { request: 'Quote 200h senior dev' },
    })
    expect(submitted.statusCode, submitted.body).toBe(202)
    const sessionId = submitted.json().session_id as string
    const claimed = await worker.orchestrator.store.attempts.start(sessionId)
    if (claimed.kind !== 'started') throw new Error(claimed.kind)
    const writer = await worker.workerWriter(sessionId, claimed.attempt, 20)
    const emit = (body: SessionEventBody) => writer.emit(body)
    await emit({
      type: 'status_changed',
      data: { status: 'processing', message: 'Started', queue_position: 0, attempt: claimed.attempt },
    })

    const received: string[] = []
    let last: string | undefined
    let done = false
    let connections = 0
    const client = (async () => {
      while (!done) {
        connections++
        const { status } = await follow(sessionId, last, (id) => {
          received.push(id)
          last = id
        })
        if (status !== 200) await new Promise((r) => setTimeout(r, 200))
      }
    })()

    for (let kill = 0; kill < KILLS; kill++) {
      for (let i = 0; i < 5; i++) {
        await emit({ type: 'reasoning', data: { text: `Before kill ${kill}, thought ${i}.` } })
        await new Promise((r) => setTimeout(r, 30))
      }
      await expect.poll(() => received.length, { timeout: 10_000 }).toBeGreaterThan(kill * 10 + 4)
      orchestrator?.child.kill('SIGKILL')
      if (orchestrator) await once(orchestrator.child, 'exit')
      for (let i = 0; i < 5; i++)
        await emit({ type: 'reasoning', data: { text: `While down ${kill}, ${i}.` } })
      await startOrchestratorProcess()
    }
    const usage = { input_tokens: 1, output_tokens: 1, total_tokens: 2 }
    const outcome = { result: { summary: 'Quoted' }, text: 'Quoted', usage }
    await emit({
      type: 'final_result',
      data: { ...outcome, agents_involved: ['quotes'], processing_time_ms: 5 },
    })
    await emit({
      type: 'status_changed',
      data: { status: 'completed', message: 'Done', queue_position: 0, attempt: claimed.attempt },
    })
    await writer.close()
    await worker.orchestrator.store.attempts.complete(sessionId, claimed.attempt, {
      result: { summary: 'Quoted' },
      agentsInvolved: ['quotes'],
      processingTimeMs: 5,
      inputTokens: 1,
      outputTokens: 1,
    })
    const total = 1 + 1 + KILLS * 10 + 2 // admission, processing, reasoning, result and completed
    await expect.poll(() => received.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(total)
    done = true
    await client
    expect(received.map(Number)).toEqual(Array.from({ length: total }, (_, i) => i + 1))
    // It did have to resume: each kill broke the stream it was on.
    expect(connections).toBeGreaterThan(KILLS)
  }, 120_000)
})
