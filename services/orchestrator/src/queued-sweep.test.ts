import { randomUUID } from 'node:crypto'
import { sql } from '@psa/db'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from './testing/harness.js'

let h: Harness

beforeAll(async () => {
  h = await startHarness('sweep', { QUEUED_SWEEP_AFTER_MS: '1000', QUEUED_SWEEP_INTERVAL_MS: '0' })
})
afterAll(async () => {
  await h?.close()
})

describe('queued-session sweep', () => {
  it('queues again a committed session whose work item is gone, and leaves queued work alone', async () => {
    const { alice } = h.tenants
    const db = h.orchestrator.store.db
    const healthy = await h.submit(alice, { agentType: 'resourcing' })
    // What a stalled admission commit leaves behind: the row, committed, and no message (the worker gave up).
    const orphan = randomUUID()
    await db.asService((tx) =>
      tx
        .insertInto('agent_sessions')
        .values({
          id: orphan,
          organisation_id: h.tenants.orgA,
          user_id: alice.id,
          agent_type: 'resourcing',
          request: 'Who can staff the React roles?',
        })
        .execute(),
    )
    await db.asService((tx) =>
      sql`update agent_sessions set queued_at = now() - interval '10 minutes' where id in (${healthy}, ${orphan})`.execute(
        tx,
      ),
    )
    const first = await h.orchestrator.queuedSweep.sweepOnce()
    expect(first.requeued).toEqual([orphan])
    expect(first.checked).toBeGreaterThanOrEqual(2)
    // Both are in the queue now, each once: a second sweep finds nothing to do.
    expect((await h.orchestrator.queuedSweep.sweepOnce()).requeued).toEqual([])
    const delivered: string[] = []
    for (let i = 0; i < 2; i++) {
      const msg = await h.fetchWork('resourcing')
      if (msg) {
        delivered.push((msg.json() as { session_id: string }).session_id)
        msg.ack()
      }
    }
    expect(delivered.sort()).toEqual([healthy, orphan].sort())
    for (const id of [healthy, orphan]) await h.call('cancelSession', { sessionId: id }, alice)
  })
})
