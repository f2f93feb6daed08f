import { randomUUID } from 'node:crypto'
import { type Database, hasRole, type JwtClaims } from '@psa/db'
import { AppError } from '@psa/errors'
import {
  createScratchDatabase,
  createTenant,
  type OutsideUser,
  type ScratchDatabase,
  type Tenant,
  type TenantUser,
} from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { admissionEvent } from './admission.js'
import type { SessionEventEnvelope } from './events.js'
import { type NewSession, type SessionRow, SessionStore } from './session-store.js'

// A database of this file's own (the schema, no rows): queue positions are global per agent type, so these
// tests must not share queued sessions with any other test file.
let scratch: ScratchDatabase
let db: Database
let store: SessionStore
let tenant: Tenant
let orgA: string
let orgB: string
let users: Record<string, TenantUser | OutsideUser>
const claims = (name: string): JwtClaims => (users[name] as TenantUser | OutsideUser).claims
const userId = (name: string) => (users[name] as TenantUser | OutsideUser).id

beforeAll(async () => {
  scratch = await createScratchDatabase('session_store', { poolMax: 12 })
  db = scratch.db
  store = new SessionStore(db)
  tenant = await createTenant(db, { data: 'users' })
  orgA = tenant.orgId
  orgB = tenant.otherOrgId
  const t = tenant.users
  users = {
    ann: t.member,
    ben: t.bystander,
    meg: t.manager,
    vic: t.viewer,
    olga: t.otherMember,
    // An admin of B who is also a member of A, B first.
    tess: await tenant.addUser(
      [
        [orgB, 'admin'],
        [orgA, 'member'],
      ],
      'tess',
    ),
    lone: t.nobody,
    crowd: await tenant.addUser('member', 'crowd'),
  }
})

afterAll(async () => {
  await scratch?.drop()
})

const newSession = (overrides: Partial<NewSession> = {}): NewSession => ({
  id: randomUUID(),
  organisation_id: orgA,
  agent_type: 'project_management',
  request: 'Plan the Acme rebuild',
  context: { client: 'Acme', nested: { weeks: 12 } },
  auto_apply: false,
  parent_session_id: null,
  trace_id: 'a'.repeat(32),
  ...overrides,
})

const noop = async () => {}
const options = (maxInFlight: number, enqueue: (s: SessionRow) => Promise<void> = noop) => ({
  maxInFlight,
  enqueue: async (s: SessionRow) => {
    await enqueue(s)
    return admissionEvent(s, 1)
  },
})

async function submit(
  name: string,
  overrides: Partial<NewSession> = {},
  maxInFlight = 100,
): Promise<SessionRow> {
  return (await store.submit(claims(name), newSession(overrides), options(maxInFlight))).session
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof AppError) return err
    throw err
  }
  throw new Error('expected a rejection')
}

const row = (id: string) =>
  db.asService((tx) =>
    tx.selectFrom('agent_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
  )

function event(sessionId: string, seq: number, text = `step ${seq}`): SessionEventEnvelope {
  return {
    session_id: sessionId,
    seq,
    time: new Date().toISOString(),
    agent: 'project_management',
    type: 'reasoning',
    data: { text },
  }
}

describe('membership', () => {
  it("resolves the named organisation, else the user's first; refuses others", async () => {
    expect(await store.membership(claims('ann'))).toEqual({ organisationId: orgA, role: 'member' })
    expect(await store.membership(claims('tess'), orgA)).toEqual({ organisationId: orgA, role: 'member' })
    expect(await store.membership(claims('tess'), orgB)).toEqual({ organisationId: orgB, role: 'admin' })
    const notMember = await rejection(store.membership(claims('ann'), orgB))
    expect(notMember.code).toBe('NOT_FOUND')
    expect((await rejection(store.membership(claims('lone')))).code).toBe('FORBIDDEN')
    expect(hasRole('manager', 'member')).toBe(true)
    expect(hasRole('viewer', 'member')).toBe(false)
  })
})

describe('submit', () => {
  it('stores a queued session as the user and runs enqueue inside the transaction', async () => {
    let seenInside: SessionRow | undefined
    const input = newSession()
    const result = await store.submit(
      claims('ann'),
      input,
      options(10, async (s) => {
        seenInside = s
        // Not committed yet: another connection cannot see it.
        expect(
          await db.asService((tx) =>
            tx.selectFrom('agent_sessions').select('id').where('id', '=', s.id).execute(),
          ),
        ).toEqual([])
      }),
    )
    const { session, created } = result
    expect(created).toBe(true)
    // The admission event is stored with the session, as seq 1, with the queue position.
    expect(result.created && result.event.seq).toBe(1)
    const logged = await store.events.after(null, input.id, 0)
    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatchObject({ seq: 1, type: 'status_changed', data: { status: 'queued' } })
    expect(seenInside?.id).toBe(input.id)
    expect(session).toMatchObject({
      id: input.id,
      status: 'queued',
      user_id: userId('ann'),
      organisation_id: orgA,
      context: { client: 'Acme', nested: { weeks: 12 } },
      trace_id: 'a'.repeat(32),
      attempts: 0,
    })
    await store.cancel(claims('ann'), input.id, 'cleanup')
  })

  it('stores nothing when enqueue fails', async () => {
    const input = newSession()
    await expect(
      store.submit(
        claims('ann'),
        input,
        options(10, async () => {
          throw new Error('JetStream unavailable')
        }),
      ),
    ).rejects.toThrow()
    expect(
      await db.asService((tx) =>
        tx.selectFrom('agent_sessions').select('id').where('id', '=', input.id).execute(),
      ),
    ).toEqual([])
  })

  it('returns the existing session for a retried id, and refuses the id to anyone else', async () => {
    const input = newSession()
    let enqueued = 0
    const retried = options(10, async () => void enqueued++)
    const first = await store.submit(claims('ann'), input, retried)
    const retry = await store.submit(claims('ann'), input, retried)
    expect(retry.created).toBe(false)
    expect(retry.session.id).toBe(first.session.id)
    expect(enqueued).toBe(1)
    expect((await rejection(store.submit(claims('ben'), input, retried))).code).toBe('ALREADY_EXISTS')
    await store.cancel(claims('ann'), input.id, 'cleanup')
  })

  it('holds the in-flight limit under concurrent submits (10 at once, limit 3: exactly 3)', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        store.submit(claims('crowd'), newSession({ agent_type: 'quotes' }), options(3)),
      ),
    )
    const ok = results.filter((r) => r.status === 'fulfilled')
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(ok).toHaveLength(3)
    expect(refused).toHaveLength(7)
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(AppError)
      expect((r.reason as AppError).code).toBe('TOO_MANY_IN_FLIGHT')
      expect((r.reason as AppError).details).toEqual({ in_flight: 3, limit: 3 })
    }
    for (const r of ok)
      await store.cancel(
        claims('crowd'),
        (r as PromiseFulfilledResult<{ session: SessionRow }>).value.session.id,
        'cleanup',
      )
    // Finished sessions do not count.
    expect((await store.submit(claims('crowd'), newSession(), options(1))).created).toBe(true)
  })

  it('lets RLS refuse viewers and auto-apply below manager; a foreign organisation is not found', async () => {
    expect((await rejection(submit('vic'))).code).toBe('FORBIDDEN')
    expect((await rejection(submit('ann', { auto_apply: true }))).code).toBe('FORBIDDEN')
    expect((await rejection(submit('ann', { organisation_id: orgB }))).code).toBe('NOT_FOUND')
    const managed = await submit('meg', { auto_apply: true })
    expect(managed.auto_apply).toBe(true)
    await store.cancel(claims('meg'), managed.id, 'cleanup')
  })
})

describe('submitChild', () => {
  it("inserts as the service in the parent's organisation, for the parent's user, idempotently", async () => {
    const parent = await submit('ben', { agent_type: 'orchestrator' })
    let enqueued = 0
    const input = {
      id: randomUUID(),
      agent_type: 'quotes' as const,
      request: 'Price it',
      context: {},
      auto_apply: false,
      trace_id: null,
    }
    const enqueue = async (s: SessionRow) => {
      enqueued++
      return admissionEvent(s, 1)
    }
    const first = await store.submitChild(parent, input, enqueue)
    const child = first.session
    expect(first.created).toBe(true)
    expect(child).toMatchObject({
      parent_session_id: parent.id,
      user_id: userId('ben'),
      organisation_id: orgA,
      status: 'queued',
    })
    // Its admission event is stored with it, like a user's session.
    expect(await store.events.after(null, child.id, 0)).toMatchObject([
      { seq: 1, data: { status: 'queued' } },
    ])
    const again = await store.submitChild(parent, input, enqueue)
    expect(again).toMatchObject({ created: false, session: { id: child.id } })
    expect(enqueued).toBe(1)
    await store.cancel(claims('ben'), child.id, 'cleanup')
    await store.cancel(claims('ben'), parent.id, 'cleanup')
  })
})

describe('get and list', () => {
  it("reads the organisation's sessions and reports other organisations' as NOT_FOUND", async () => {
    const s = await submit('olga', { organisation_id: orgB })
    expect((await store.get(claims('olga'), s.id)).id).toBe(s.id)
    const hidden = await rejection(store.get(claims('ann'), s.id))
    expect(hidden.code).toBe('NOT_FOUND')
    expect(hidden.details).toEqual({ session_id: s.id })
    await store.cancel(claims('olga'), s.id, 'cleanup')
  })

  it('pages by (created_at, id) without skipping rows created within the same millisecond', async () => {
    // Rows whose timestamps differ only in microseconds: a cursor carrying JavaScript's millisecond Date
    // must still neither skip nor repeat any of them.
    const org = randomUUID()
    await db.sql`insert into public.organisations (id, name, slug, currency) values (${org}, 'Paging', ${`paging-${org.slice(0, 8)}`}, 'USD')`
    await db.sql`insert into public.memberships (organisation_id, user_id, role) values (${org}, ${userId('ann')}, 'member')`
    const ids: string[] = []
    for (let i = 0; i < 7; i++) {
      const id = randomUUID()
      ids.push(id)
      const at = `2026-01-01T10:00:00.123${String(100 + i * 111).padStart(3, '0')}Z`
      await db.sql`insert into public.agent_sessions (id, organisation_id, user_id, agent_type, request, status, created_at, completed_at, error)
                   values (${id}, ${org}, ${userId(i % 2 ? 'ann' : 'ben')}, 'quotes', ${`r${i}`}, 'cancelled', ${at}::text::timestamptz, now(), '{"code":"CANCELLED","message":"x"}')`
    }
    const seen: string[] = []
    let after: { createdAt: Date; id: string } | undefined
    for (let page = 0; page < 10; page++) {
      const rows = await store.list(claims('ann'), {
        organisationId: org,
        includeChildren: false,
        pageSize: 2,
        ...(after ? { after } : {}),
      })
      const pageRows = rows.slice(0, 2)
      seen.push(...pageRows.map((r) => r.id))
      if (rows.length <= 2) break
      const last = pageRows.at(-1) as SessionRow
      after = { createdAt: last.created_at, id: last.id }
    }
    expect(seen).toEqual([...ids].reverse())
    const mine = await store.list(claims('ann'), {
      organisationId: org,
      userId: userId('ann'),
      includeChildren: false,
      pageSize: 50,
    })
    expect(mine.map((r) => r.id).sort()).toEqual([ids[1], ids[3], ids[5]].sort())
    expect(
      await store.list(claims('ann'), {
        organisationId: org,
        status: 'queued',
        includeChildren: false,
        pageSize: 50,
      }),
    ).toEqual([])
    expect(
      await store.list(claims('olga'), { organisationId: org, includeChildren: false, pageSize: 50 }),
    ).toEqual([])
  })
})

describe('queuePosition', () => {
  it('is the FIFO rank among queued sessions of the type, 0 once not queued', async () => {
    const first = await submit('ann', { agent_type: 'resourcing' })
    const second = await submit('ben', { agent_type: 'resourcing' })
    const third = await submit('olga', { agent_type: 'resourcing', organisation_id: orgB })
    const other = await submit('ann', { agent_type: 'orchestrator' })
    expect(await store.queuePosition(first)).toEqual({ position: 1, depth: 3 })
    expect(await store.queuePosition(second)).toEqual({ position: 2, depth: 3 })
    expect(await store.queuePosition(third)).toEqual({ position: 3, depth: 3 })
    expect(await store.queuePosition(other)).toEqual({ position: 1, depth: 1 })
    expect((await store.attempts.start(first.id)).kind).toBe('started')
    expect(await store.queuePosition(first)).toEqual({ position: 0, depth: 2 })
    expect(await store.queuePosition(second)).toEqual({ position: 1, depth: 2 })
    expect(await store.queuePosition(third)).toEqual({ position: 2, depth: 2 })
    await store.cancel(claims('ben'), second.id, 'cleanup')
    expect(await store.queuePosition(third)).toEqual({ position: 1, depth: 1 })
    await store.attempts.fail(first.id, 1, { code: 'TEST', message: 'cleanup' })
    await store.cancel(claims('olga'), third.id, 'cleanup')
    await store.cancel(claims('ann'), other.id, 'cleanup')
  })
})

describe('cancel', () => {
  it('cancels a queued session at once and records a request for a running one', async () => {
    const queued = await submit('ann')
    const cancelled = await store.cancel(claims('ann'), queued.id, 'Not needed')
    expect(cancelled.kind).toBe('cancelled')
    expect(cancelled.session).toMatchObject({
      status: 'cancelled',
      cancel_reason: 'Not needed',
      error: { code: 'CANCELLED', message: 'Not needed' },
    })
    expect(cancelled.session.completed_at).toBeInstanceOf(Date)
    expect((await store.attempts.start(queued.id)).kind).toBe('finished')

    const running = await submit('ann')
    const started = await store.attempts.start(running.id)
    expect(started.kind).toBe('started')
    expect(await store.attempts.cancelRequest(running.id)).toBeUndefined()
    const requested = await store.cancel(claims('ann'), running.id, 'Stop it')
    expect(requested.kind).toBe('requested')
    expect(requested.session.status).toBe('processing')
    expect(await store.attempts.cancelRequest(running.id)).toEqual({ reason: 'Stop it' })
    expect(await store.attempts.markCancelled(running.id, 1, 'Stop it', 42)).toBe(true)
    expect(await row(running.id)).toMatchObject({
      status: 'cancelled',
      processing_time_ms: 42,
      error: { code: 'CANCELLED', message: 'Stop it' },
    })

    const finished = await rejection(store.cancel(claims('ann'), running.id, 'again'))
    expect(finished.code).toBe('INVALID_STATE')
    expect(finished.details).toEqual({ session_id: running.id, status: 'cancelled' })
  })

  it('lets the requester and managers cancel, not other members, and hides other organisations', async () => {
    const s = await submit('ann')
    expect((await rejection(store.cancel(claims('ben'), s.id, 'x'))).code).toBe('FORBIDDEN')
    expect((await rejection(store.cancel(claims('olga'), s.id, 'x'))).code).toBe('NOT_FOUND')
    expect((await store.cancel(claims('meg'), s.id, 'manager says no')).kind).toBe('cancelled')
  })
})

describe('worker transitions', () => {
  it('fences a stale attempt: only the newest attempt can finish the session', async () => {
    const s = await submit('ben', { agent_type: 'quotes' })
    const first = await store.attempts.start(s.id)
    expect(first).toMatchObject({ kind: 'started', attempt: 1 })
    // The first worker's delivery timed out; a second worker takes the session over.
    const second = await store.attempts.start(s.id)
    expect(second).toMatchObject({ kind: 'started', attempt: 2 })
    const completion = {
      result: { plan: [1, 2] },
      agentsInvolved: ['quotes'],
      processingTimeMs: 10,
      inputTokens: 3,
      outputTokens: 4,
    }
    expect(await store.attempts.complete(s.id, 1, completion)).toBe(false)
    expect(await store.attempts.fail(s.id, 1, { code: 'X', message: 'stale' })).toBe(false)
    expect(await store.attempts.markCancelled(s.id, 1, 'stale')).toBe(false)
    expect(await store.attempts.complete(s.id, 2, completion)).toBe(true)
    expect(await row(s.id)).toMatchObject({
      status: 'completed',
      attempts: 2,
      result: { plan: [1, 2] },
      agents_involved: ['quotes'],
      input_tokens: 3,
      output_tokens: 4,
      error: null,
    })
    // Finished: nothing moves it again.
    expect(await store.attempts.complete(s.id, 2, completion)).toBe(false)
    expect(await store.attempts.fail(s.id, null, { code: 'X', message: 'late' })).toBe(false)
    expect(await store.attempts.start(s.id)).toMatchObject({
      kind: 'finished',
      session: { status: 'completed' },
    })
    expect(await store.attempts.start(randomUUID())).toEqual({ kind: 'missing' })
  })

  it('fails a queued session without an attempt (attempt null) and keeps usage figures', async () => {
    const s = await submit('ben', { agent_type: 'quotes' })
    expect(
      await store.attempts.fail(
        s.id,
        null,
        { code: 'AGENT_TIMEOUT', message: 'took too long' },
        { processingTimeMs: 5, inputTokens: 1, outputTokens: 2, agentsInvolved: ['quotes'] },
      ),
    ).toBe(true)
    expect(await row(s.id)).toMatchObject({
      status: 'failed',
      error: { code: 'AGENT_TIMEOUT', message: 'took too long' },
      processing_time_ms: 5,
      input_tokens: 1,
    })
  })

  it('dead-letters once: the record is written once and the session failed once', async () => {
    const s = await submit('ben', { agent_type: 'quotes' })
    await store.attempts.start(s.id)
    const input = {
      sessionId: s.id,
      organisationId: orgA,
      agentType: 'quotes' as const,
      payload: { v: 1, session_id: s.id },
      reason: 'worker crashed',
      deliveries: 5,
    }
    expect(await store.attempts.deadLetter(input)).toEqual({ recorded: true, sessionFailed: true })
    expect(await store.attempts.deadLetter(input)).toEqual({ recorded: false, sessionFailed: false })
    const letters = await db.asService((tx) =>
      tx.selectFrom('agent_dead_letters').selectAll().where('session_id', '=', s.id).execute(),
    )
    expect(letters).toHaveLength(1)
    expect(letters[0]).toMatchObject({
      agent_type: 'quotes',
      deliveries: 5,
      reason: 'worker crashed',
      payload: { v: 1, session_id: s.id },
    })
    const failed = await row(s.id)
    expect(failed.status).toBe('failed')
    expect(failed.error).toMatchObject({ code: 'DEAD_LETTERED' })
    expect((failed.error as { message: string }).message).toMatch(/after 5 attempts: worker crashed/)
  })
})

describe('events and proposals', () => {
  it('appends events idempotently and replays them in order, through RLS for users', async () => {
    const s = await submit('ann', { agent_type: 'quotes' })
    await store.events.append(orgA, 1, [event(s.id, 1), event(s.id, 2), event(s.id, 3)])
    // A redelivered batch (or an overlapping one) inserts nothing twice and keeps the first version.
    await store.events.append(orgA, 2, [event(s.id, 2, 'changed'), event(s.id, 3), event(s.id, 4)])
    await store.events.append(orgA, 2, [])
    const all = await store.events.after(null, s.id, 0)
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4])
    expect(all[1]).toMatchObject({ type: 'reasoning', data: { text: 'step 2' } })
    expect((await store.events.after(claims('ben'), s.id, 2)).map((e) => e.seq)).toEqual([3, 4])
    expect((await store.events.after(null, s.id, 1, 2)).map((e) => e.seq)).toEqual([2, 3])
    expect(await store.events.after(claims('olga'), s.id, 0)).toEqual([])
    expect(await store.events.lastSeq(s.id)).toBe(4)
    expect(await store.events.lastSeq(randomUUID())).toBe(0)
    const attempts = await db.sql<
      { seq: number; attempt: number }[]
    >`select seq, attempt from agent_logs where session_id = ${s.id} order by seq`
    // Seq 1 is the admission event, stored by submit as attempt 0; the replayed 1 does not replace it.
    expect(attempts.map((r) => [r.seq, r.attempt])).toEqual([
      [1, 0],
      [2, 1],
      [3, 1],
      [4, 2],
    ])
    await store.cancel(claims('ann'), s.id, 'cleanup')
  })

  it('stores a proposal once per (session, idempotency key)', async () => {
    const s = await submit('ann', { agent_type: 'quotes' })
    const input = {
      sessionId: s.id,
      organisationId: orgA,
      agentType: 'quotes' as const,
      idempotencyKey: 'step-3',
      title: 'Quote v1',
      summary: 'A quote',
      changeset: { version: 1, operations: [{ op: 'delete', table: 'quotes', id: randomUUID() }] },
    }
    const first = await store.attempts.upsertProposal(input)
    const again = await store.attempts.upsertProposal({ ...input, title: 'Quote v2' })
    expect(first.created).toBe(true)
    expect(again.created).toBe(false)
    expect(again.proposal.id).toBe(first.proposal.id)
    expect(again.proposal.title).toBe('Quote v1')
    expect(again.proposal.changeset).toEqual(input.changeset)
    const other = await store.attempts.upsertProposal({ ...input, idempotencyKey: 'step-4' })
    expect(other.created).toBe(true)
    await store.cancel(claims('ann'), s.id, 'cleanup')
  })
})
