// Fault suite: a poison message among other work. One request crashes its worker on every delivery (the
// test SIGKILLs the quotes worker process whenever it starts on that session; the supervisor restarts it,
// as Kubernetes would); requests submitted before and after it are processed by the same worker. The
// poison request goes to the dead-letter record after PIPELINE_MAX_DELIVER deliveries and its session
// fails with DEAD_LETTERED; every other request completes exactly once. Built services as processes, on
// loopback; about a minute.

import { randomUUID } from 'node:crypto'
import { openTestDatabase } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { devSession, type E2eStack, startE2eStack } from '../testing/e2e-stack.js'
import { expectEventLogsExactlyOnce } from './exactly-once.js'

const MAX_DELIVER = 3
const OTHERS_BEFORE = 3
const OTHERS_AFTER = 3

let e2e: E2eStack
let db: ReturnType<typeof openTestDatabase>
let token: string
const ids: string[] = []
let kills = 0

beforeAll(async () => {
  db = openTestDatabase()
  e2e = await startE2eStack({
    only: ['gateway', 'orchestrator', 'agent-quotes'],
    env: {
      PIPELINE_MAX_DELIVER: String(MAX_DELIVER),
      PIPELINE_ACK_WAIT_MS: '2000',
      // One at a time: a kill aimed at the poison request never lands on another one.
      WORKER_CONCURRENCY: '1',
      MAX_IN_FLIGHT_PER_USER: '100',
    },
  })
  token = (await devSession(e2e.api)).access_token
}, 180_000)

afterAll(async () => {
  await e2e?.stop()
  if (db && ids.length > 0) await db.sql`delete from public.agent_sessions where id = any(${ids}::uuid[])`
  await db?.close()
  console.info(
    `poison message suite: ${kills} worker crashes on the poison request, ${ids.length - 1} other sessions checked exactly-once`,
  )
}, 60_000)

async function submit(request: string): Promise<string> {
  const id = randomUUID()
  const res = await fetch(`${e2e.api}/api/agents/quotes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ request, session_id: id }),
  })
  expect(res.status, await res.clone().text()).toBe(202)
  ids.push(id)
  return id
}

const session = async (id: string) =>
  (
    await db.sql<{ status: string; attempts: number; error_code: string | null }[]>`
      select status, attempts, error->>'code' as error_code from public.agent_sessions where id = ${id}`
  )[0]

describe('a poison message among other work', () => {
  it('dead-letters the poison request and completes everything around it exactly once', async () => {
    const others: string[] = []
    for (let i = 0; i < OTHERS_BEFORE; i++) others.push(await submit(`Quote ${40 + i}h of design for Acme`))
    const poison = await submit('Quote 300h of senior developer time for Acme')
    for (let i = 0; i < OTHERS_AFTER; i++) others.push(await submit(`Quote ${60 + i}h of testing for Acme`))

    // Crash the worker each time it starts on the poison request, until JetStream gives up on it.
    const deadline = Date.now() + 90_000
    let killedAttempt = 0
    while (Date.now() < deadline) {
      const s = await session(poison)
      if (s?.status === 'failed') break
      const pid = e2e.stack.supervisor.pid('agent-quotes')
      if (s?.status === 'processing' && s.attempts > killedAttempt && pid !== undefined) {
        process.kill(pid, 'SIGKILL')
        killedAttempt = s.attempts
        kills++
      }
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(kills).toBe(MAX_DELIVER)
    await expect
      .poll(() => session(poison), { timeout: 30_000, interval: 250 })
      .toMatchObject({
        status: 'failed',
        error_code: 'DEAD_LETTERED',
      })
    const letters = await db.sql<{ deliveries: number }[]>`
      select deliveries from public.agent_dead_letters where session_id = ${poison}`
    expect(letters).toEqual([{ deliveries: MAX_DELIVER }])

    // Everything else completed, exactly once, none dead-lettered.
    await expect
      .poll(async () => Promise.all(others.map(async (id) => (await session(id))?.status)), {
        timeout: 60_000,
        interval: 500,
      })
      .toEqual(others.map(() => 'completed'))
    await expectEventLogsExactlyOnce(db, others)
    const otherLetters = await db.sql`
      select session_id from public.agent_dead_letters where session_id = any(${others}::uuid[])`
    expect(otherLetters).toHaveLength(0)
  }, 200_000)
})
