// Fault suite: an agent worker process SIGKILLed again and again at random moments while it works through
// several requests. Every accepted session must complete exactly once: one final result, one terminal
// status, a gap-free event sequence, no duplicate proposals, and agent_logs equal to the stream. Bounded:
// FAULT_KILLS kills (default 6) of FAULT_SESSIONS sessions (default 3), on loopback, about a minute.

import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { isTerminalEvent, type SessionEventEnvelope } from '@psa/agent-pipeline'
import { type PipelineHarness, startPipelineHarness } from '@psa/agent-runtime/testing'
import { demoDataLoaded, demoUser, NORTHWIND_ORGANISATION_ID } from '@psa/demo-data'
import * as kit from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const serviceDir = fileURLToPath(new URL('../../../../services/agent-project', import.meta.url))
const KILLS = Number(process.env.FAULT_KILLS ?? 6)
const SESSIONS = Number(process.env.FAULT_SESSIONS ?? 3)
const ACK_WAIT_MS = 1_500

let h: PipelineHarness
let admin: kit.TenantUser
let demoLoaded = false
const sessions: string[] = []
let attempts = 0

function startWorker(extraEnv: Record<string, string> = {}): kit.ServiceProcess {
  return kit.startServiceProcess(serviceDir, {
    DATABASE_POOL_MAX: '4',
    PIPELINE_NAMESPACE: h.namespace,
    PIPELINE_ACK_WAIT_MS: String(ACK_WAIT_MS),
    PIPELINE_MAX_DELIVER: '50',
    OPS_PORT: '0',
    OPS_HOST: '127.0.0.1',
    WORKER_CONCURRENCY: '2',
    ...extraEnv,
  })
}

/** Resolves once one of the test's sessions is being processed, or after `timeoutMs` (all may be done). */
async function untilProcessing(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const busy = await h.db.asService((tx) =>
      tx
        .selectFrom('agent_sessions')
        .select('id')
        .where('id', 'in', sessions)
        .where('status', '=', 'processing')
        .executeTakeFirst(),
    )
    if (busy) return
    await new Promise((r) => setTimeout(r, 25))
  }
}

beforeAll(async () => {
  kit.buildService(serviceDir)
  h = await startPipelineHarness({ ackWaitMs: ACK_WAIT_MS, maxDeliver: 50 })
  demoLoaded = await demoDataLoaded(h.db.sql)
  admin = kit.testUser(demoUser('admin@northwind.example'), NORTHWIND_ORGANISATION_ID)
}, 180_000)

afterAll(async () => {
  kit.killServiceProcesses()
  if (sessions.length > 0) {
    await h.db.asService((tx) => tx.deleteFrom('agent_sessions').where('id', 'in', sessions).execute())
  }
  await h?.close()
  console.info(
    `fault suite: ${KILLS} SIGKILLs injected, ${sessions.length} sessions checked exactly-once over ${attempts} attempts`,
  )
})

describe('worker SIGKILLed at random moments', () => {
  it('completes every accepted session exactly once', async (context) => {
    if (!demoLoaded) context.skip()
    for (let i = 0; i < SESSIONS; i++) {
      const s = await h.submit(admin, {
        agentType: 'project_management',
        request: `Plan a ${8 + i}-week website rebuild for Acme starting 5 Jan, budget $150k`,
      })
      sessions.push(s.id)
    }
    // Each tool call is held open a while, so kills land before, between and after the writes.
    for (let kill = 0; kill < KILLS; kill++) {
      const worker = startWorker({ AGENT_TOOL_DELAY_MS: '400' })
      await worker.waitForLog('agent worker started', 30_000)
      // On a loaded machine a fixed delay can end before the worker claims anything: wait until it is
      // working on a session, then kill at a random moment within its tool calls.
      await untilProcessing(10_000)
      await new Promise((r) => setTimeout(r, 50 + Math.floor(Math.random() * 900)))
      worker.child.kill('SIGKILL')
      await once(worker.child, 'exit')
    }
    const healthy = startWorker()
    await healthy.waitForLog('agent worker started', 30_000)
    for (const id of sessions) {
      const done = await h.waitForStatus(id, ['completed', 'failed', 'cancelled'], 60_000)
      expect(done.status, JSON.stringify(done.error)).toBe('completed')
      attempts += done.attempts
      let events: SessionEventEnvelope[] = []
      await expect
        .poll(
          async () => {
            events = await h.streamEvents(id)
            return events.length > 0 && isTerminalEvent(events.at(-1) as SessionEventEnvelope)
          },
          { timeout: 10_000 },
        )
        .toBe(true)
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1))
      expect(events.filter((e) => e.type === 'final_result')).toHaveLength(1)
      expect(events.filter(isTerminalEvent)).toHaveLength(1)
      const proposals = await h.db.asService((tx) =>
        tx.selectFrom('proposals').select(['id', 'idempotency_key']).where('session_id', '=', id).execute(),
      )
      expect(new Set(proposals.map((p) => p.idempotency_key)).size).toBe(proposals.length)
      expect(events.filter((e) => e.type === 'proposal_created')).toHaveLength(proposals.length)
      await expect
        .poll(async () => (await h.loggedEvents(id)).map((e) => e.seq), { timeout: 5_000 })
        .toEqual(events.map((e) => e.seq))
    }
    // Some kills landed mid-request: those sessions took more than one attempt.
    expect(attempts).toBeGreaterThan(sessions.length)
    await expect
      .poll(() => h.pending('project_management'), { timeout: 10_000 })
      .toMatchObject({ waiting: 0, unacked: 0 })
    healthy.child.kill('SIGTERM')
    await once(healthy.child, 'exit')
  }, 300_000)
})
