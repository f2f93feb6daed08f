// Row level security, table by table, against the real Postgres as the real API roles (what PostgREST does:
// `set local role` plus request.jwt.claims in a transaction). The table list comes from the catalog, so a
// table added without an entry in ACCESS fails this suite instead of shipping unchecked.

import { hasRole, type MembershipRole } from '@psa/db'
import {
  type Actor,
  asActor,
  attempt,
  createTenant,
  MEMBERSHIP_ROLES,
  type Outcome,
  type Tenant,
  testDatabaseUrl,
} from '@psa/test-kit'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/** Who may write a table, in the organisation's own rows ('only-member': the member's own row, nobody else). */
type Writer = MembershipRole | 'only-member' | null
interface Access {
  insert: Writer
  update: Writer
  delete: Writer
}

function allowed(writer: Writer, role: MembershipRole): boolean {
  if (writer === null) return false
  if (writer === 'only-member') return role === 'member'
  return hasRole(role, writer)
}

const all = (writer: Writer): Access => ({ insert: writer, update: writer, delete: writer })

/**
 * The role matrix (mirrors supabase/README.md). Every role of the organisation reads every table; this
 * says who writes. The fixture ties "own" rows to the member, so 'member' entries below are the member's
 * own-row rights (members cannot write other people's rows: see policies.test.ts).
 */
const ACCESS: Record<string, Access> = {
  organisations: { insert: null, update: 'admin', delete: 'owner' },
  memberships: all('admin'),
  locations: all('admin'),
  holidays: all('admin'),
  roles: all('admin'),
  skills: all('manager'),
  people: all('admin'),
  person_skills: all('member'),
  time_off: all('member'),
  clients: all('manager'),
  rate_cards: all('admin'),
  rate_card_lines: all('admin'),
  projects: all('manager'),
  phases: all('manager'),
  tasks: { insert: 'manager', update: 'member', delete: 'manager' },
  task_dependencies: all('manager'),
  milestones: all('manager'),
  baselines: all('manager'),
  resource_requests: all('manager'),
  allocations: all('manager'),
  time_entries: all('member'),
  quotes: all('manager'),
  quote_versions: all('manager'),
  quote_lines: all('manager'),
  // Sessions are admitted by the orchestrator (as the service) only: see rls-holes.test.ts.
  agent_sessions: all(null),
  agent_logs: all(null),
  proposals: { insert: null, update: 'manager', delete: null },
  agent_dead_letters: all(null),
}

const FORBIDDEN = '42501'

let sql: postgres.Sql
let home: Tenant
let other: Tenant
let tables: string[]

beforeAll(async () => {
  sql = postgres(testDatabaseUrl(), { max: 4, onnotice: () => {} })
  tables = (
    await sql<{ relname: string }[]>`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') order by c.relname
    `
  ).map((r) => r.relname)
  ;[home, other] = await Promise.all([
    createTenant(sql, { data: 'every-table', label: 'Home' }),
    createTenant(sql, { data: 'every-table', label: 'Other' }),
  ])
})

afterAll(async () => {
  await Promise.all([home, other].filter(Boolean).map((t) => t.drop()))
  await sql.end()
})

/** The column that says which organisation a row belongs to. */
const orgColumn = (table: string) => (table === 'organisations' ? 'id' : 'organisation_id')

async function visibleRows(actor: Actor, table: string, organisationId: string): Promise<number> {
  return asActor(sql, actor, async (tx) => {
    const [row] = await tx<{ n: number }[]>`
      select count(*)::int as n from ${tx('public')}.${tx(table)} where ${tx(orgColumn(table))} = ${organisationId}
    `
    return row?.n ?? 0
  })
}

// Referential actions and guard triggers are switched off (session_replication_role = replica) around the
// insert and delete probes so they measure the policies alone: the row is taken out and put back verbatim,
// and deleting it does not cascade. The transaction is rolled back either way.
async function tryInsert(actor: Actor, table: string, id: string): Promise<Outcome> {
  let snapshot: unknown
  return asActor(
    sql,
    actor,
    (tx) =>
      attempt(
        tx,
        (sp) => sp`
          insert into ${sp('public')}.${sp(table)}
          select * from jsonb_populate_record(null::${sp('public')}.${sp(table)}, ${sp.json(snapshot as postgres.JSONValue)}::jsonb)
        `,
      ),
    async (tx) => {
      await tx`set local session_replication_role = replica`
      const [row] = await tx`
        delete from ${tx('public')}.${tx(table)} where id = ${id} returning to_jsonb(${tx(table)}.*) as row
      `
      snapshot = row?.row
      if (!snapshot) throw new Error(`fixture row ${table}.${id} not found`)
    },
  )
}

function tryUpdate(actor: Actor, table: string, id: string): Promise<Outcome> {
  return asActor(sql, actor, (tx) =>
    attempt(tx, (sp) => sp`update ${sp('public')}.${sp(table)} set id = id where id = ${id}`),
  )
}

function tryDelete(actor: Actor, table: string, id: string): Promise<Outcome> {
  return asActor(
    sql,
    actor,
    (tx) => attempt(tx, (sp) => sp`delete from ${sp('public')}.${sp(table)} where id = ${id}`),
    async (tx) => {
      await tx`set local session_replication_role = replica`
    },
  )
}

const wrote = { ok: true, count: 1 }
const filtered = { ok: true, count: 0 }

function expectInsert(outcome: Outcome, permitted: boolean): void {
  if (permitted) expect(outcome).toEqual(wrote)
  else expect(outcome).toMatchObject({ ok: false, code: FORBIDDEN })
}

describe('row level security', () => {
  it('covers every table in public, and every table has RLS enabled', async () => {
    expect(tables.length).toBeGreaterThan(0)
    expect(tables.filter((t) => !(t in ACCESS))).toEqual([])
    expect(Object.keys(ACCESS).filter((t) => !tables.includes(t))).toEqual([])
    expect(tables.filter((t) => !(t in home.rows))).toEqual([])
    const withoutRls = await sql<{ relname: string }[]>`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity
    `
    expect(withoutRls).toEqual([])
  })

  it('grants policies to authenticated only (anon has none, service_role bypasses RLS)', async () => {
    const policies = await sql<
      { tablename: string; policyname: string; roles: string[]; permissive: string }[]
    >`
      select tablename, policyname, roles::text[] as roles, permissive
      from pg_policies where schemaname = 'public'
    `
    expect(policies.length).toBeGreaterThan(0)
    expect(
      policies.filter((p) => p.roles.join(',') !== 'authenticated' || p.permissive !== 'PERMISSIVE'),
    ).toEqual([])
    const [bypass] = await sql<
      { rolbypassrls: boolean }[]
    >`select rolbypassrls from pg_roles where rolname = 'service_role'`
    expect(bypass?.rolbypassrls).toBe(true)
  })

  it('keeps the policy helpers out of reach of anon', async () => {
    const [row] = await sql<{ anon: boolean; authenticated: boolean }[]>`
      select has_function_privilege('anon', 'private.org_ids(public.membership_role)', 'execute') as anon,
             has_function_privilege('authenticated', 'private.org_ids(public.membership_role)', 'execute') as authenticated
    `
    expect(row).toEqual({ anon: false, authenticated: true })
  })

  describe.each(Object.keys(ACCESS))('%s', (table) => {
    const access = ACCESS[table] as Access
    const row = () => home.rows[table] as string

    it.each(MEMBERSHIP_ROLES)(
      '%s of the organisation: reads, and writes only as the matrix says',
      async (role) => {
        const actor = home.users[role].actor
        expect(await visibleRows(actor, table, home.orgId)).toBeGreaterThan(0)
        expect(await visibleRows(actor, table, other.orgId)).toBe(0)
        expectInsert(await tryInsert(actor, table, row()), allowed(access.insert, role))
        expect(await tryUpdate(actor, table, row())).toEqual(allowed(access.update, role) ? wrote : filtered)
        expect(await tryDelete(actor, table, row())).toEqual(allowed(access.delete, role) ? wrote : filtered)
      },
    )

    it.each(['owner', 'member'] as const)(
      "%s of another organisation: neither reads nor writes this organisation's rows",
      async (role) => {
        const actor = other.users[role].actor
        expect(await visibleRows(actor, table, home.orgId)).toBe(0)
        expectInsert(await tryInsert(actor, table, row()), false)
        expect(await tryUpdate(actor, table, row())).toEqual(filtered)
        expect(await tryDelete(actor, table, row())).toEqual(filtered)
      },
    )

    it('anon: sees nothing and writes nothing', async () => {
      const actor: Actor = { kind: 'anon' }
      expect(await visibleRows(actor, table, home.orgId)).toBe(0)
      expectInsert(await tryInsert(actor, table, row()), false)
      expect(await tryUpdate(actor, table, row())).toEqual(filtered)
      expect(await tryDelete(actor, table, row())).toEqual(filtered)
    })

    it('service_role: reads every organisation and writes', async () => {
      const actor: Actor = { kind: 'service_role' }
      expect(await visibleRows(actor, table, home.orgId)).toBeGreaterThan(0)
      expect(await visibleRows(actor, table, other.orgId)).toBeGreaterThan(0)
      expectInsert(await tryInsert(actor, table, row()), true)
      expect(await tryUpdate(actor, table, row())).toEqual(wrote)
      expect(await tryDelete(actor, table, row())).toEqual(wrote)
    })

    if (table !== 'organisations') {
      it('a writer cannot move one of its rows into another organisation', async () => {
        const actor = other.users.owner.actor
        const outcome = await asActor(sql, actor, (tx) =>
          attempt(
            tx,
            (sp) => sp`
              update ${sp('public')}.${sp(table)} set organisation_id = ${home.orgId}
              where id = ${other.rows[table] as string}
            `,
          ),
        )
        // Refused by the policy's with check (or, where owners cannot update at all, nothing to update).
        if (allowed(access.update, 'owner')) expect(outcome).toMatchObject({ ok: false, code: FORBIDDEN })
        else expect(outcome).toEqual(filtered)
      })
    }
  })
})
