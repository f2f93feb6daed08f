import { randomUUID } from 'node:crypto'
import { Database, databaseEnvSchema, type JwtClaims, type Membership } from '@psa/db'
import { AppError } from '@psa/errors'
import {
  createScratchDatabase,
  createTenant,
  type ScratchDatabase,
  silentLogger,
  type Tenant,
} from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { admissionEvent } from './admission.js'
import { AdmissionBatcher } from './admission-batch.js'
import { type SessionRow, SessionStore } from './session-store.js'
import { type SubmitItem, submitBatch } from './session-store-batch.js'

let scratch: ScratchDatabase
let db: Database
let store: SessionStore
let tenant: Tenant

beforeAll(async () => {
  scratch = await createScratchDatabase('session_store_batch', { poolMax: 8 })
  db = scratch.db
  store = new SessionStore(db)
  tenant = await createTenant(db, { data: 'users' })
})

afterAll(async () => {
  await scratch?.drop()
})

const item = (
  claims: JwtClaims,
  overrides: Partial<SubmitItem['input']> = {},
  extra: Partial<Omit<SubmitItem, 'input' | 'claims'>> = {},
): SubmitItem => ({
  claims,
  input: {
    id: randomUUID(),
    agent_type: 'project_management',
    request: 'Plan the Acme rebuild',
    context: { client: 'Acme' },
    auto_apply: false,
    trace_id: null,
    ...overrides,
  },
  maxInFlight: 100,
  enqueue: async (s: SessionRow) => admissionEvent(s, 1),
  ...extra,
})

const stored = (ids: string[]) =>
  db.sql<{ id: string; queued_at: Date }[]>`
    select id, queued_at from agent_sessions where id = any(${ids}::uuid[]) order by queued_at`

describe('submitBatch', () => {
  it('answers every item in one transaction exactly as submit would', async () => {
    const { member, bystander, nobody, manager } = tenant.users
    const crowd = await tenant.addUser('member', 'crowd')
    const retried = await store.submit(member.claims, item(member.claims).input, item(member.claims))
    const refuse = (m: Membership) => {
      if (m.role !== 'manager') throw new AppError('FORBIDDEN', 'managers only')
    }
    const items = [
      item(member.claims),
      item(member.claims, { id: retried.session.id }),
      item(bystander.claims, { id: retried.session.id }),
      // Another organisation's session: RLS hides it, so it is left to submit, which answers alone.
      item(tenant.users.otherMember.claims, { id: retried.session.id }),
      item(nobody.claims),
      item(member.claims, { organisation_id: tenant.otherOrgId }),
      item(crowd.claims, {}, { maxInFlight: 2 }),
      item(crowd.claims, {}, { maxInFlight: 2 }),
      item(crowd.claims, {}, { maxInFlight: 2 }),
      item(member.claims, {}, { authorize: refuse }),
      item(manager.claims, { auto_apply: true }, { authorize: refuse }),
      item(tenant.users.viewer.claims),
      item(member.claims, { auto_apply: true }),
      item(member.claims),
    ]
    const outcomes = await submitBatch(db, items)
    const codes = outcomes.map((o) =>
      o.ok === 'alone'
        ? 'alone'
        : o.ok
          ? o.value.created
            ? 'created'
            : 'existing'
          : (o.error as AppError).code,
    )
    expect(codes).toEqual([
      'created',
      'existing',
      'ALREADY_EXISTS',
      'alone',
      'FORBIDDEN',
      'NOT_FOUND',
      'created',
      'created',
      'TOO_MANY_IN_FLIGHT',
      'FORBIDDEN',
      'created',
      'FORBIDDEN',
      'FORBIDDEN',
      'created',
    ])
    expect((outcomes[8] as { error: AppError }).error.details).toEqual({ in_flight: 2, limit: 2 })
    const created = items.filter((_, i) => codes[i] === 'created').map((it) => it.input.id)
    // Queued in the batch's order, each with its admission event.
    expect((await stored(created)).map((r) => r.id)).toEqual(created)
    for (const id of created) expect(await store.events.after(null, id, 0)).toHaveLength(1)
    const first = outcomes[0] as { ok: true; value: { created: true; session: SessionRow } }
    expect(first.value.session).toMatchObject({
      user_id: member.id,
      organisation_id: tenant.orgId,
      status: 'queued',
      context: { client: 'Acme' },
    })
  })

  it('stores nothing of a batch when one of its inserts fails', async () => {
    const { member } = tenant.users
    // A blank request breaks a check constraint (the API refuses it before; here it stands for any failure).
    const items = [item(member.claims), item(member.claims, { request: '   ' }), item(member.claims)]
    await expect(submitBatch(db, items)).rejects.toThrow()
    expect(await stored(items.map((it) => it.input.id))).toEqual([])
  })
})

// The shared prelude of Database's transactions (asServiceSql): a transaction pooler drops the pool's
// startup parameters, so only the transaction's own settings bound the batch's statements and its idle time.
describe('submitBatch transaction bounds', () => {
  const bounded = async (run: (timed: Database) => Promise<void>) => {
    const timed = new Database({
      env: databaseEnvSchema.parse({
        DATABASE_URL: scratch.url,
        DATABASE_POOL_MAX: '1',
        DATABASE_STATEMENT_TIMEOUT_MS: '300',
        DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '400',
      }),
      applicationName: 'psa-test',
      logger: silentLogger(),
    })
    try {
      // As behind a transaction pooler: the one connection's session default is no timeout at all.
      await timed.sql`set statement_timeout = 0`
      await run(timed)
    } finally {
      await timed.close()
    }
  }

  it("times out a statement of the batch (here its wait for a user's admission lock)", async () => {
    const user = await tenant.addUser('member', 'locked')
    const holder = await db.sql.reserve()
    try {
      await holder`select pg_advisory_lock(hashtextextended(${`agent-submit:${user.id}`}, 0))`
      await bounded(async (timed) => {
        await expect(submitBatch(timed, [item(user.claims)])).rejects.toMatchObject({
          code: 'DEADLINE_EXCEEDED',
        })
      })
    } finally {
      await holder`select pg_advisory_unlock_all()`
      holder.release()
    }
  })

  it('ends a batch left idle in its transaction, and stores none of it', async () => {
    const { member } = tenant.users
    const idle = item(
      member.claims,
      {},
      {
        enqueue: async (s) => {
          await new Promise((resolve) => setTimeout(resolve, 1_000))
          return admissionEvent(s, 1)
        },
      },
    )
    await bounded(async (timed) => {
      await expect(submitBatch(timed, [idle])).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    })
    expect(await stored([idle.input.id])).toHaveLength(0)
  })
})

describe('AdmissionBatcher', () => {
  it('holds the in-flight limit across concurrent batches (10 at once, limit 3: exactly 3)', async () => {
    const crowd = await tenant.addUser('member', 'crowd2')
    const batcher = new AdmissionBatcher(store, { maxBatch: 4, maxConcurrent: 2 })
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => batcher.submit(item(crowd.claims, {}, { maxInFlight: 3 }))),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3)
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
      expect((r.reason as AppError).code).toBe('TOO_MANY_IN_FLIGHT')
    }
  })

  it('admits one by one when a batch fails as a whole: the failing one is refused, the others get in', async () => {
    const { member } = tenant.users
    const batcher = new AdmissionBatcher(store, { maxBatch: 8, maxConcurrent: 1 })
    const items = [
      item(member.claims),
      item(member.claims),
      item(member.claims, { request: '   ' }),
      item(member.claims),
    ]
    const results = await Promise.allSettled(items.map((it) => batcher.submit(it)))
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
    expect(await stored(items.map((it) => it.input.id))).toHaveLength(3)
  })

  it('leaves an id taken in another organisation to submit, which refuses it as before', async () => {
    const { member, otherMember } = tenant.users
    const taken = await store.submit(member.claims, item(member.claims).input, item(member.claims))
    const batcher = new AdmissionBatcher(store)
    await expect(batcher.submit(item(otherMember.claims, { id: taken.session.id }))).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    })
  })

  it('answers a second request for an id waiting with it as a retry', async () => {
    const { member } = tenant.users
    const batcher = new AdmissionBatcher(store, { maxBatch: 8, maxConcurrent: 1 })
    const one = item(member.claims)
    const results = await Promise.all([0, 1, 2].map(() => batcher.submit(one)))
    expect(results.map((r) => r.created)).toEqual([true, false, false])
    for (const r of results) expect(r.session.id).toBe(one.input.id)
  })
})

type AgentType = 'project_management' | 'resourcing' | 'quotes'

const queue = (ids: string[], type: AgentType) =>
  db.sql`
    insert into agent_sessions (id, organisation_id, user_id, agent_type, request, status, queued_at)
    select id, ${tenant.orgId}, ${tenant.users.member.id}, ${type}, 'r', 'queued', clock_timestamp()
    from unnest(${ids}::uuid[]) with ordinality as u(id, n) order by n`

const leave = (id: string, how: 'start' | 'cancel' | 'delete') =>
  how === 'delete'
    ? db.sql`delete from agent_sessions where id = ${id}`
    : how === 'start'
      ? db.sql`update agent_sessions set status = 'processing', started_at = now() where id = ${id}`
      : db.sql`update agent_sessions set status = 'cancelled', completed_at = now(), error = '{"code":"CANCELLED","message":"x"}' where id = ${id}`

/**
 * For each of `ids`: its place by the definition (the rank among queued sessions of its type in queue
 * order, and the queue's length) and by the tickets, in one statement.
 */
const places = (ids: string[]) =>
  db.sql<{ id: string; counted: number; counted_depth: number; place: number; depth: number }[]>`
    with ranked as (
      select s.id, s.agent_type,
             row_number() over (partition by s.agent_type order by s.queued_at, s.id)::int as counted,
             count(*) over (partition by s.agent_type)::int as counted_depth
      from agent_sessions s where s.status = 'queued'
    )
    select r.id, r.counted, r.counted_depth, q.place::int as place, q.depth
    from ranked r, lateral private.queue_place(r.id, r.agent_type) q
    where r.id = any(${ids}::uuid[])`

describe('queue tickets', () => {
  it('agree with counting the queue through random arrivals and departures in and out of turn', async () => {
    // A fixed pseudo-random sequence, so a failure reproduces.
    let seed = 12
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    const types: AgentType[] = ['project_management', 'resourcing', 'quotes']
    const queued: Record<AgentType, string[]> = { project_management: [], resourcing: [], quotes: [] }
    for (let round = 0; round < 40; round++) {
      const type = types[Math.floor(random() * types.length)] as AgentType
      if (random() < 0.55 || queued[type].length === 0) {
        const ids = Array.from({ length: 1 + Math.floor(random() * 4) }, () => randomUUID())
        await queue(ids, type)
        queued[type].push(...ids)
      } else {
        // Mostly the head (a worker), sometimes anyone (a cancellation or an out-of-order start).
        const at = random() < 0.5 ? 0 : Math.floor(random() * queued[type].length)
        const [id] = queued[type].splice(at, 1) as [string]
        const how = (['start', 'cancel', 'delete'] as const)[Math.floor(random() * 3)] ?? 'start'
        await leave(id, how)
        if (how !== 'delete')
          expect(await store.queuePosition({ id, agent_type: type })).toMatchObject({ position: 0 })
      }
      const all = types.flatMap((t) => queued[t])
      const rows = await places(all)
      expect(rows).toHaveLength(all.length)
      for (const row of rows) expect([row.place, row.depth]).toEqual([row.counted, row.counted_depth])
      const sample = rows[Math.floor(random() * rows.length)]
      if (sample) {
        const type = types.find((t) => queued[t].includes(sample.id)) as AgentType
        expect(await store.queuePosition({ id: sample.id, agent_type: type })).toEqual({
          position: sample.counted,
          depth: sample.counted_depth,
        })
      }
    }
  })

  it('gives no ticket to a session that left the queue before its transaction committed', async () => {
    const id = randomUUID()
    const before = await store.queuePosition({ id, agent_type: 'quotes' })
    await db.sql.begin(async (tx) => {
      await tx`insert into agent_sessions (id, organisation_id, user_id, agent_type, request, status)
               values (${id}, ${tenant.orgId}, ${tenant.users.member.id}, 'quotes', 'r', 'queued')`
      await tx`update agent_sessions set status = 'cancelled', completed_at = now(), error = '{"code":"CANCELLED","message":"x"}' where id = ${id}`
    })
    expect(await store.queuePosition({ id, agent_type: 'quotes' })).toEqual({
      position: 0,
      depth: before.depth,
    })
  })
})
