// Fault suite: Postgres stopped (every connection closed, as a shutdown, then reset, as a crash; new ones
// refused) and then paused (frozen: open connections, no bytes, as SIGSTOP), under a steady load of submits through the gateway, with the built
// gateway, orchestrator and quotes worker as processes. The services reach Postgres through a FaultProxy
// of this test, so the machine's shared server never stops. Submits during an outage get a prompt 503
// UNAVAILABLE with Retry-After; after each outage the services recover on their own; every accepted (202)
// session completes exactly once and nothing is dead-lettered by the outage. Bounded: three outages of
// FAULT_PG_OUTAGE_MS (default 5 s) each, about a minute on a quiet machine.

import { randomUUID } from 'node:crypto'
import { FaultProxy, openTestDatabase, testDatabaseUrl } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { devSession, type E2eStack, startE2eStack } from '../testing/e2e-stack.js'
import { expectEventLogsExactlyOnce } from './exactly-once.js'

const OUTAGE_MS = Number(process.env.FAULT_PG_OUTAGE_MS ?? 5_000)
/** A submit during an outage must be answered within this (the orchestrator's admission limit is 1.5 s). */
const PROMPT_MS = 3_000
const SUBMITTERS = 2
const SUBMIT_GAP_MS = 250

interface Submitted {
  id: string
  started: number
  ms: number
  status: number
  code?: string
  retryAfter?: string | null
}

let proxy: FaultProxy
let e2e: E2eStack
let db: ReturnType<typeof openTestDatabase>
let token: string
const submitted: Submitted[] = []
let checked = 0
let landedAfter503 = 0
type Outage = 'stopped (closed)' | 'stopped (reset)' | 'paused'
const outages: { mode: Outage; from: number; to: number }[] = []

beforeAll(async () => {
  const target = new URL(testDatabaseUrl())
  proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port || 5432) })
  db = openTestDatabase()
  e2e = await startE2eStack({
    only: ['gateway', 'orchestrator', 'agent-quotes'],
    databaseUrl: proxy.url(testDatabaseUrl()),
    env: {
      ADMISSION_TIMEOUT_MS: '1500',
      LOG_LEVEL: process.env.FAULT_LOG_LEVEL ?? 'warn',
      // Short enough that an outage outlasts it: deliveries would be burned if claims counted them.
      PIPELINE_ACK_WAIT_MS: '3000',
      MAX_IN_FLIGHT_PER_USER: '1000',
      RATE_LIMIT_PER_MINUTE: '100000',
      RPC_RATE_LIMIT_PER_MINUTE: '100000',
      // A new connection to a frozen server waits this long before the pool gives up on it.
      DATABASE_CONNECT_TIMEOUT_S: '3',
    },
  })
  token = (await devSession(e2e.api)).access_token
}, 180_000)

afterAll(async () => {
  proxy?.resume()
  await e2e?.stop()
  const ids = submitted.map((s) => s.id)
  if (db && ids.length > 0) await db.sql`delete from public.agent_sessions where id = any(${ids}::uuid[])`
  await db?.close()
  await proxy?.close()
  const refused = submitted.filter((s) => s.status === 503).length
  console.info(
    `Postgres outage suite: ${outages.length} outages (${outages.map((o) => o.mode).join(', ')}) injected and survived; ` +
      `${submitted.length} submits, ${submitted.length - refused} accepted, ${refused} refused with 503 (${landedAfter503} of them committed anyway), ` +
      `${checked} sessions checked exactly-once; ` +
      `proxy reset ${proxy?.counts.reset} connections`,
  )
}, 60_000)

async function submit(): Promise<Submitted> {
  const id = randomUUID()
  const started = performance.now()
  const res = await fetch(`${e2e.api}/api/agents/quotes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ request: 'Quote 120h of senior developer time for Acme', session_id: id }),
    signal: AbortSignal.timeout(20_000),
  })
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } }
  const one: Submitted = {
    id,
    started,
    ms: performance.now() - started,
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    ...(body.error?.code ? { code: body.error.code } : {}),
  }
  submitted.push(one)
  return one
}

/** Submits from a few clients, each one at a time with a short gap, until `until` resolves. */
async function load(until: Promise<void>): Promise<void> {
  let done = false
  void until.then(() => {
    done = true
  })
  await Promise.all(
    Array.from({ length: SUBMITTERS }, async () => {
      while (!done) {
        await submit()
        await new Promise((r) => setTimeout(r, SUBMIT_GAP_MS))
      }
    }),
  )
}

async function outage(mode: Outage): Promise<void> {
  const from = performance.now()
  if (mode === 'paused') proxy.pause()
  else proxy.stop(mode === 'stopped (reset)' ? 'reset' : 'close')
  await new Promise((r) => setTimeout(r, OUTAGE_MS))
  const to = performance.now()
  proxy.resume()
  outages.push({ mode, from, to })
  // Recovered once a submit is accepted again.
  await expect
    .poll(async () => (await submit()).status, { timeout: 30_000, interval: 250 })
    .toBe(202)
    .catch((err) => {
      throw new Error(
        `${err}: not recovered after ${mode}\n${e2e.output
          .filter((l) => /"level":"(warn|error|fatal)"|supervisor/.test(l))
          .slice(-30)
          .join('\n')}`,
      )
    })
}

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

describe('Postgres stopped and paused under load', () => {
  it('refuses promptly during each outage, recovers, and completes every accepted session exactly once', async () => {
    await load(
      (async () => {
        await wait(2_000)
        await outage('stopped (closed)')
        await wait(1_000)
        await outage('stopped (reset)')
        await wait(1_000)
        await outage('paused')
        await wait(1_000)
      })(),
    )

    for (const s of submitted) expect([202, 503], `${s.status} ${s.code}`).toContain(s.status)
    for (const o of outages) {
      // Submits started well inside the outage (its first moments are the switch-over) and answered in it.
      const inside = submitted.filter((s) => s.started > o.from + 300 && s.started + s.ms < o.to)
      expect(inside.length, `${o.mode}: submits during the outage`).toBeGreaterThan(0)
      for (const s of inside) {
        expect(s.status, `${o.mode}: ${s.code}`).toBe(503)
        expect(s.code).toBe('UNAVAILABLE')
        expect(s.retryAfter).toMatch(/^\d+$/)
      }
      // Every submit started during the outage was answered promptly, whenever it ended.
      for (const s of submitted.filter((s) => s.started > o.from + 300 && s.started < o.to)) {
        expect(s.ms, `${o.mode}: ${s.status} after ${Math.round(s.ms)} ms`).toBeLessThan(PROMPT_MS)
      }
    }

    const accepted = submitted.filter((s) => s.status === 202).map((s) => s.id)
    expect(accepted.length).toBeGreaterThan(0)
    // A refused submit whose commit was already on its way when Postgres froze exists too (a retry with
    // its session_id would answer with it): it must complete exactly once like the accepted ones.
    const all = submitted.map((s) => s.id)
    const existing = (
      await db.sql<{ id: string }[]>`select id from public.agent_sessions where id = any(${all}::uuid[])`
    ).map((r) => r.id)
    expect(existing).toEqual(expect.arrayContaining(accepted))
    landedAfter503 = existing.length - accepted.length
    checked = existing.length
    await expect
      .poll(
        async () =>
          (
            await db.sql<{ n: number }[]>`
              select count(*)::int as n from public.agent_sessions
               where id = any(${existing}::uuid[]) and status in ('queued', 'processing')`
          )[0]?.n,
        { timeout: 90_000, interval: 1_000 },
      )
      .toBe(0)
      .catch(async (err) => {
        const stuck = await db.sql`
          select id, status, attempts, queued_at, started_at from public.agent_sessions
           where id = any(${existing}::uuid[]) and status in ('queued', 'processing')`
        const about = stuck.map((r) => {
          const s = submitted.find((x) => x.id === r.id)
          const lines = e2e.output.filter((l) => l.includes(r.id as string))
          return { ...r, submit: s, outages, lines }
        })
        throw new Error(`${err}\n${JSON.stringify(about, null, 1)}`)
      })
    const rows = await db.sql<{ id: string; status: string }[]>`
      select id, status from public.agent_sessions where id = any(${existing}::uuid[])`
    expect(rows).toHaveLength(existing.length)
    for (const row of rows) expect(row.status, row.id).toBe('completed')

    // Exactly once: a gap-free event log per session, one final result, one terminal status.
    await expectEventLogsExactlyOnce(db, existing)
    // No delivery was burned to the point of dead-lettering by the outages.
    const deadLetters = await db.sql`
      select session_id from public.agent_dead_letters where session_id = any(${submitted.map((s) => s.id)}::uuid[])`
    expect(deadLetters).toHaveLength(0)
  }, 240_000)
})
