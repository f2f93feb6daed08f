import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { isTerminalEvent, type SessionEventEnvelope } from '@psa/agent-pipeline'
import { type PipelineHarness, startPipelineHarness } from '@psa/agent-runtime/testing'
import { demoDataLoaded, demoUser, NORTHWIND_ORGANISATION_ID } from '@psa/demo-data'
import {
  buildService,
  killServiceProcesses,
  type ServiceProcess,
  startServiceProcess,
  type TenantUser,
  testUser,
} from '@psa/test-kit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

// The real service, as a separate process: killed with SIGKILL mid-request, or stopped with SIGTERM, and
// the request must still complete exactly once. AGENT_TOOL_DELAY_MS (a test-only setting) holds each tool
// call open after it has done its work, so the kill lands after the proposal exists but before the
// attempt finishes.
const serviceDir = fileURLToPath(new URL('..', import.meta.url))
const REQUEST = 'Plan a 12-week website rebuild for Acme starting 5 Jan, budget $150k'
const ACK_WAIT_MS = 2_000

let h: PipelineHarness
let admin: TenantUser
let demoLoaded = false
const sessions: string[] = []

function startWorker(extraEnv: Record<string, string> = {}): ServiceProcess {
  return startServiceProcess(serviceDir, {
    DATABASE_POOL_MAX: '4',
    PIPELINE_NAMESPACE: h.namespace,
    PIPELINE_ACK_WAIT_MS: String(ACK_WAIT_MS),
    OPS_PORT: '0',
    OPS_HOST: '127.0.0.1',
    WORKER_CONCURRENCY: '1',
    ...extraEnv,
  })
}

async function waitForEvents(
  sessionId: string,
  until: (events: SessionEventEnvelope[]) => boolean,
  timeoutMs = 30_000,
): Promise<SessionEventEnvelope[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const events = await h.streamEvents(sessionId)
    if (until(events)) return events
    if (Date.now() > deadline)
      throw new Error(`events never matched: ${events.map((e) => e.type).join(', ')}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

beforeAll(async () => {
  // The test runs the built service: build it (and what it references) first; a no-op when up to date.
  buildService(serviceDir)
  h = await startPipelineHarness({ ackWaitMs: ACK_WAIT_MS })
  demoLoaded = await demoDataLoaded(h.db.sql)
  admin = testUser(demoUser('admin@northwind.example'), NORTHWIND_ORGANISATION_ID)
}, 180_000)

afterEach(() => {
  killServiceProcesses()
})

afterAll(async () => {
  if (sessions.length > 0) {
    await h.db.asService((tx) => tx.deleteFrom('agent_sessions').where('id', 'in', sessions).execute())
  }
  await h?.close()
})

describe('agent-project worker process', () => {
  it('completes a request exactly once after its worker is SIGKILLed mid-request and another starts', async (context) => {
    if (!demoLoaded) context.skip()
    const first = startWorker({ AGENT_TOOL_DELAY_MS: '60000' })
    await first.waitForLog('agent worker started')
    const session = await h.submit(admin, { agentType: 'project_management', request: REQUEST })
    sessions.push(session.id)
    // The proposal exists and the tool call is still open: kill the worker right there.
    await waitForEvents(session.id, (events) => events.some((e) => e.type === 'proposal_created'))
    first.child.kill('SIGKILL')
    await once(first.child, 'exit')
    expect((await h.session(session.id))?.status).toBe('processing')

    const second = startWorker()
    await second.waitForLog('agent worker started')
    const done = await h.waitForStatus(session.id, ['completed', 'failed'], 30_000)
    expect(done).toMatchObject({ status: 'completed', attempts: 2 })
    const events = await waitForEvents(
      session.id,
      (e) => e.length > 0 && isTerminalEvent(e.at(-1) as SessionEventEnvelope),
    )
    // Exactly one completion: one final result, one terminal status, a gap-free sequence.
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1))
    expect(events.filter((e) => e.type === 'final_result')).toHaveLength(1)
    expect(events.filter(isTerminalEvent)).toHaveLength(1)
    expect(events.filter((e) => e.type === 'proposal_created')).toHaveLength(1)
    const attempts = events.flatMap((e) =>
      e.type === 'status_changed' && e.data.status === 'processing' ? [e.data.attempt] : [],
    )
    expect(attempts).toEqual([1, 2])
    // No duplicate proposal: the restarted attempt found the one the killed attempt made.
    const proposals = await h.db.asService((tx) =>
      tx.selectFrom('proposals').select('id').where('session_id', '=', session.id).execute(),
    )
    expect(proposals).toHaveLength(1)
    expect((done.result as { proposal_id: string }).proposal_id).toBe(proposals[0]?.id)
    // agent_logs holds every event, including those the killed attempt published but never persisted.
    await expect
      .poll(async () => (await h.loggedEvents(session.id)).map((e) => e.seq), { timeout: 5_000 })
      .toEqual(events.map((e) => e.seq))
    await expect
      .poll(() => h.pending('project_management'), { timeout: 5_000 })
      .toMatchObject({ waiting: 0, unacked: 0 })
    // The submitter's W3C trace id came through the NATS header into every log line of the request.
    const processing = await second.waitForLog('processing agent request')
    expect(processing).toMatchObject({
      trace_id: session.trace_id,
      session_id: session.id,
      agent_type: 'project_management',
      attempt: 2,
    })
    const completed = await second.waitForLog('agent request completed')
    expect(completed).toMatchObject({ trace_id: session.trace_id, span_id: processing.span_id })

    second.child.kill('SIGTERM')
    const [code] = await once(second.child, 'exit')
    expect(code).toBe(0)
  }, 90_000)

  it('on SIGTERM stops taking work, hands the in-flight request back and exits 0; the next worker finishes it', async (context) => {
    if (!demoLoaded) context.skip()
    const first = startWorker({
      AGENT_TOOL_DELAY_MS: '60000',
      WORKER_DRAIN_TIMEOUT_MS: '500',
      SHUTDOWN_TIMEOUT_MS: '10000',
    })
    const listening = await first.waitForLog('ops server listening')
    await first.waitForLog('agent worker started')
    const ops = `http://127.0.0.1:${listening.port as number}`
    await expect.poll(async () => (await fetch(`${ops}/readyz`)).status, { timeout: 10_000 }).toBe(200)
    const session = await h.submit(admin, { agentType: 'project_management', request: REQUEST })
    sessions.push(session.id)
    await waitForEvents(session.id, (events) => events.some((e) => e.type === 'proposal_created'))
    expect(await (await fetch(`${ops}/metrics`)).text()).toMatch(/psa_agent_in_flight\{[^}]*\} 1/)

    const exited = once(first.child, 'exit')
    first.child.kill('SIGTERM')
    const [code] = await exited
    expect(code).toBe(0)
    expect(first.output()).toContain('in-flight requests outlived the drain period; handing them back')
    expect(first.output()).toContain('handing the request back to the queue')
    const afterStop = await h.session(session.id)
    expect(afterStop).toMatchObject({ status: 'processing', attempts: 1 })
    const handedBack = await h.streamEvents(session.id)
    expect(handedBack.at(-1)).toMatchObject({
      type: 'status_changed',
      data: { status: 'processing', message: expect.stringContaining('shutting down') },
    })

    const second = startWorker()
    const done = await h.waitForStatus(session.id, ['completed', 'failed'], 30_000)
    expect(done).toMatchObject({ status: 'completed', attempts: 2 })
    const proposals = await h.db.asService((tx) =>
      tx.selectFrom('proposals').select('id').where('session_id', '=', session.id).execute(),
    )
    expect(proposals).toHaveLength(1)
    second.child.kill('SIGTERM')
    expect((await once(second.child, 'exit'))[0]).toBe(0)
  }, 90_000)

  it('is live but not ready while Postgres is unreachable', async () => {
    const worker = startWorker({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
      DATABASE_CONNECT_TIMEOUT_S: '1',
    })
    const listening = await worker.waitForLog('ops server listening')
    const ops = `http://127.0.0.1:${listening.port as number}`
    expect((await fetch(`${ops}/healthz`)).status).toBe(200)
    const ready = await fetch(`${ops}/readyz`)
    expect(ready.status).toBe(503)
    expect(await ready.json()).toMatchObject({
      status: 'not_ready',
      checks: { postgres: { ok: false }, nats: { ok: true } },
    })
    worker.child.kill('SIGTERM')
    expect((await once(worker.child, 'exit'))[0]).toBe(0)
  }, 30_000)
})
