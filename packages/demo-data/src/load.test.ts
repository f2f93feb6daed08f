import { addDays } from '@psa/calendar'
import { budgetBurn } from '@psa/project-burn'
import { asActor, createScratchDatabase } from '@psa/test-kit'
import type postgres from 'postgres'
import { describe, expect, it } from 'vitest'
import { projectBurn } from './analysis.js'
import { BLUEBIRD_ORGANISATION_ID, DEMO_USERS, demoUser, NORTHWIND_ORGANISATION_ID } from './constants.js'
import { generateDemoData } from './generate.js'
import { loadDemoData } from './load.js'
import { DEMO_TABLE_NAMES, type DemoTableName } from './types.js'

const TODAY = '2026-11-25'
const ANCHOR = '2026-11-23'
const ORGS = [NORTHWIND_ORGANISATION_ID, BLUEBIRD_ORGANISATION_ID]

const TABLES = DEMO_TABLE_NAMES.filter((t): t is Exclude<DemoTableName, 'auth_users'> => t !== 'auth_users')

async function counts(sql: postgres.Sql): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const table of TABLES) {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from ${sql(table)}`
    out[table] = row?.n ?? -1
  }
  const [users] = await sql<
    { n: number }[]
  >`select count(*)::int as n from auth.users where id in ${sql(DEMO_USERS.map((u) => u.id))}`
  out.auth_users = users?.n ?? -1
  return out
}

/** A digest of every demo row, so a second load that changed anything (even a timestamp) shows. */
async function digest(sql: postgres.Sql): Promise<string> {
  const parts: string[] = []
  for (const table of [...TABLES, 'auth.users']) {
    const name = table === 'auth.users' ? sql('auth.users') : sql(table)
    const [row] = await sql<
      { d: string | null }[]
    >`select md5(string_agg(md5(t::text), '' order by t.id)) as d from ${name} t`
    parts.push(`${table}:${row?.d}`)
  }
  return parts.join('|')
}

describe('loading the demo data into a fresh database', () => {
  it('loads everything, is idempotent, keeps the planted problems and tenant isolation, and resets on request', async () => {
    // A database of the test's own (the schema, no rows): it counts and digests every row.
    const scratch = await createScratchDatabase('demo_load', { poolMax: 4 })
    try {
      const sql = scratch.db.sql
      const expected = generateDemoData({ today: TODAY }).tables

      const first = await loadDemoData(sql, { today: TODAY })
      expect(first).toMatchObject({ anchor: ANCHOR, loaded: ['northwind', 'bluebird'], skipped: [] })
      const loaded = await counts(sql)
      for (const table of [...TABLES, 'auth_users'] as DemoTableName[]) {
        expect(loaded[table], table).toBe(expected[table].length)
        expect(first.rows[table], table).toBe(expected[table].length)
      }

      // Running again (even in another week) changes nothing and does not fail.
      const before = await digest(sql)
      const second = await loadDemoData(sql, { today: TODAY })
      expect(second).toMatchObject({ loaded: [], skipped: ['northwind', 'bluebird'], rows: {} })
      expect(await loadDemoData(sql, { today: '2027-02-03' })).toMatchObject({ loaded: [] })
      expect(await digest(sql)).toBe(before)
      // Every row is at its first version: nothing was inserted and then updated.
      const [bumped] = await sql<{ n: number }[]>`
            select (select count(*) from clients where version <> 1) + (select count(*) from projects where version <> 1)
              + (select count(*) from tasks where version <> 1) + (select count(*) from quotes where version <> 1) as n
          `
      expect(Number(bumped?.n)).toBe(0)

      // The planted problems, asked the way the product asks them.
      const over = await sql<{ name: string; week: string; hours: number; capacity: number }[]>`
            select p.full_name as name, w::date::text as week, sum(a.hours_per_week)::float as hours,
                   p.weekly_capacity_hours::float as capacity
            from allocations a
            join people p on p.id = a.person_id
            cross join lateral generate_series(date_trunc('week', a.starts_on), a.ends_on, interval '7 days') w
            where a.organisation_id = ${NORTHWIND_ORGANISATION_ID}
            group by p.full_name, w, p.weekly_capacity_hours
            having sum(a.hours_per_week) > p.weekly_capacity_hours
            order by w, p.full_name
          `
      expect(over.map((o) => [o.name, o.week, o.hours, o.capacity])).toEqual([
        ['Isabella Moreno', ANCHOR, 52, 40],
        ['Priya Raman', ANCHOR, 56, 40],
        ['Isabella Moreno', addDays(ANCHOR, 7), 52, 40],
        ['Priya Raman', addDays(ANCHOR, 7), 56, 40],
      ])
      // Budget burn as the product reports it (@psa/project-burn's budgetBurn, on the loaded rows), and the
      // generator's own measure agrees with it to the minor unit.
      const active = await sql<{ id: string }[]>`
            select pr.id from projects pr
            where pr.organisation_id = ${NORTHWIND_ORGANISATION_ID} and pr.status = 'active' and exists (select 1 from time_entries t where t.project_id = pr.id)`
      const burns = await scratch.db.asService((tx) =>
        budgetBurn(
          tx,
          active.map((p) => p.id),
        ),
      )
      const measured = new Map(projectBurn(expected, NORTHWIND_ORGANISATION_ID).map((b) => [b.projectId, b]))
      for (const [id, burn] of burns)
        expect(burn.burnMinor, measured.get(id)?.code).toBe(String(measured.get(id)?.burnMinor))
      const burning = [...burns]
        .filter(([, b]) => Number(b.burnPct) > 85)
        .map(([id]) => measured.get(id)?.code)
      expect(burning).toEqual(['NW-202'])
      const late = await sql<{ name: string }[]>`
            select name from milestones where completed_on is null and due_on < ${ANCHOR}::date
          `
      expect(late.map((m) => m.name)).toEqual(['UAT sign-off (release 1)'])
      const [react] = await sql<{ experts: number; unmet: number }[]>`
            select (select count(*)::int from person_skills ps join skills s on s.id = ps.skill_id
                     where s.name = 'React' and s.organisation_id = ${NORTHWIND_ORGANISATION_ID} and ps.proficiency >= 4) as experts,
                   (select count(*)::int from resource_requests r join skills s on s.id = r.skill_id
                     where s.name = 'React' and r.min_proficiency >= 4 and r.status in ('open', 'partially_filled')) as unmet
          `
      expect(react).toEqual({ experts: 2, unmet: 3 })

      // Tenant isolation, through row level security as the real API role.
      const bluebirdAdmin = demoUser('admin@bluebird.example')
      const seenByBluebird = await asActor(
        sql,
        { kind: 'user', userId: bluebirdAdmin.id, email: bluebirdAdmin.email },
        (tx) => tx<{ code: string }[]>`select code from projects order by code`,
      )
      expect(seenByBluebird.map((p) => p.code)).toEqual(['BB-01'])
      const viewer = demoUser('viewer@northwind.example')
      const seenByViewer = await asActor(
        sql,
        { kind: 'user', userId: viewer.id, email: viewer.email },
        (tx) => tx<{ organisation_id: string }[]>`select distinct organisation_id from time_entries`,
      )
      expect(seenByViewer.map((r) => r.organisation_id)).toEqual([NORTHWIND_ORGANISATION_ID])

      // Two loaders at once: one loads, the other waits and finds everything there.
      await sql`delete from organisations where id in ${sql(ORGS)}`
      const racing = await Promise.all([
        loadDemoData(sql, { today: TODAY }),
        loadDemoData(sql, { today: TODAY }),
      ])
      expect(racing.map((r) => r.loaded.length).sort()).toEqual([0, 2])
      expect(await counts(sql)).toEqual(loaded)

      // reset: re-anchored on a new today, same amount of data.
      const later = generateDemoData({ today: '2027-02-03' })
      const reset = await loadDemoData(sql, { today: '2027-02-03', reset: true })
      expect(reset).toMatchObject({ anchor: '2027-02-01', loaded: ['northwind', 'bluebird'] })
      const [project] = await sql<
        { starts_on: string }[]
      >`select starts_on::text from projects where code = 'NW-201'`
      expect(project?.starts_on).toBe(later.tables.projects.find((p) => p.code === 'NW-201')?.starts_on)
      const reloaded = await counts(sql)
      for (const table of TABLES) expect(reloaded[table], table).toBe(later.tables[table].length)

      // A foreign organisation holding a demo slug is reported, and the whole load rolls back.
      await sql`delete from organisations where id = ${NORTHWIND_ORGANISATION_ID}`
      await sql`insert into organisations (name, slug, currency) values ('Someone else', 'northwind', 'USD')`
      await expect(loadDemoData(sql, { today: TODAY })).rejects.toMatchObject({ code: 'CONFLICT' })
      const [orgs] = await sql<{ n: number }[]>`select count(*)::int as n from organisations`
      expect(orgs?.n).toBe(2)
    } finally {
      await scratch.drop()
    }
  }, 240_000)
})
