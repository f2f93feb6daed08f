import { randomUUID } from 'node:crypto'
import type { Database } from '@psa/db'
import { createScratchDatabase, createTenant, type ScratchDatabase, type Tenant } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SessionStore } from './session-store.js'

// Queue positions are global per agent type: this file has a database of its own.
let scratch: ScratchDatabase
let db: Database
let store: SessionStore
let tenant: Tenant

beforeAll(async () => {
  scratch = await createScratchDatabase('session_store_queue', { poolMax: 4 })
  db = scratch.db
  store = new SessionStore(db)
  tenant = await createTenant(db, { data: 'users' })
})

afterAll(async () => {
  await scratch?.drop()
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

/** The definition: the rank among queued sessions of the type in queue order, and the queue's length. */
async function counted(id: string, type: AgentType) {
  const [row] = await db.sql<{ position: number; depth: number }[]>`
    select
      (select count(*)::int from agent_sessions s
        where s.agent_type = ${type} and s.status = 'queued'
          and (select status from agent_sessions where id = ${id}) = 'queued'
          and (s.queued_at, s.id) <= (select queued_at, id from agent_sessions where id = ${id})) as position,
      (select count(*)::int from agent_sessions where agent_type = ${type} and status = 'queued') as depth`
  return row as { position: number; depth: number }
}

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
      for (const t of types) {
        for (const id of queued[t]) {
          const { position, depth } = await counted(id, t)
          expect(await store.queuePosition({ id, agent_type: t })).toEqual({ position, depth })
        }
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
