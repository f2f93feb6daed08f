// Tenant isolation on the demo data set itself (the data a new user first sees), through the stable demo
// e-mails and organisation slugs. Skipped when the test template was built without demo data.

import { type Actor, asActor, testDatabaseUrl } from '@psa/test-kit'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let sql: postgres.Sql
let users: Map<string, string>
let orgs: Map<string, string>
let tables: string[]

beforeAll(async () => {
  sql = postgres(testDatabaseUrl(), { max: 2, onnotice: () => {} })
  users = new Map(
    (
      await sql<
        { email: string; id: string }[]
      >`select email, id from auth.users where email like '%.example'`
    ).map((u) => [u.email, u.id]),
  )
  orgs = new Map(
    (
      await sql<{ slug: string; id: string }[]>`
        select slug, id from public.organisations where slug in ('northwind', 'bluebird')
      `
    ).map((o) => [o.slug, o.id]),
  )
  tables = (
    await sql<{ table_name: string }[]>`
      select table_name from information_schema.columns
      where table_schema = 'public' and column_name = 'organisation_id' order by table_name
    `
  ).map((t) => t.table_name)
})

afterAll(async () => {
  await sql.end()
})

const demoLoaded = () => orgs.size === 2

function actor(email: string): Actor {
  const userId = users.get(email)
  if (!userId) throw new Error(`demo user ${email} is missing`)
  return { kind: 'user', userId, email }
}

/** Rows per organisation slug the actor can see in each table. */
function visibility(who: Actor): Promise<Record<string, Record<string, number>>> {
  return asActor(sql, who, async (tx) => {
    const seen: Record<string, Record<string, number>> = {}
    for (const table of tables) {
      const rows = await tx<{ organisation_id: string; n: number }[]>`
        select organisation_id, count(*)::int as n from ${tx('public')}.${tx(table)} group by organisation_id
      `
      seen[table] = Object.fromEntries(
        rows.map((r) => [
          [...orgs].find(([, id]) => id === r.organisation_id)?.[0] ?? r.organisation_id,
          r.n,
        ]),
      )
    }
    return seen
  })
}

describe('demo data isolation', () => {
  it('a Bluebird member sees Bluebird and nothing of Northwind', async (context) => {
    if (!demoLoaded()) context.skip()
    const seen = await visibility(actor('member@bluebird.example'))
    expect(
      Object.entries(seen).filter(([, byOrg]) => Object.keys(byOrg).some((org) => org !== 'bluebird')),
    ).toEqual([])
    expect(seen.projects?.bluebird).toBeGreaterThan(0)
  })

  it('the default demo user (Northwind admin) sees Northwind and nothing of Bluebird', async (context) => {
    if (!demoLoaded()) context.skip()
    const seen = await visibility(actor('admin@northwind.example'))
    expect(Object.values(seen).filter((byOrg) => 'bluebird' in byOrg)).toEqual([])
    expect(seen.people?.northwind).toBeGreaterThanOrEqual(40)
  })

  it('the Northwind viewer reads the projects but cannot change them', async (context) => {
    if (!demoLoaded()) context.skip()
    const result = await asActor(sql, actor('viewer@northwind.example'), async (tx) => {
      const [{ n } = { n: 0 }] = await tx<{ n: number }[]>`select count(*)::int as n from public.projects`
      const updated = await tx`update public.projects set name = name`
      return { visible: n, updated: updated.count }
    })
    expect(result.visible).toBeGreaterThan(0)
    expect(result.updated).toBe(0)
  })
})
