// The schema's own rules, checked against the migrated database: constraints reject bad rows with named
// constraints (the API maps those names to errors), triggers keep version/updated_at honest, rows cannot
// point across organisations, and the catalog follows the conventions every table promises.
import { randomUUID } from 'node:crypto'
import { asActor, attempt, createTenant, type Outcome, type Tenant, testDatabaseUrl } from '@psa/test-kit'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let sql: postgres.Sql
let a: Tenant
let b: Tenant

beforeAll(async () => {
  sql = postgres(testDatabaseUrl(), { max: 4, onnotice: () => {} })
  ;[a, b] = await Promise.all([
    createTenant(sql, { data: 'every-table', label: 'Schema A' }),
    createTenant(sql, { data: 'every-table', label: 'Schema B' }),
  ])
})

afterAll(async () => {
  await Promise.all([a, b].filter(Boolean).map((t) => t.drop()))
  await sql.end()
})

/** Runs one statement as the service role (the workers' role) in a rolled-back transaction. */
function run(
  statement: (tx: postgres.TransactionSql) => postgres.PendingQuery<postgres.Row[]>,
): Promise<Outcome> {
  return asActor(sql, { kind: 'service_role' }, (tx) => attempt(tx, statement))
}

const violates = (code: string, constraint?: string) =>
  expect.objectContaining({
    ok: false,
    code,
    ...(constraint ? { message: expect.stringContaining(constraint) } : {}),
  })

const row = (t: Tenant, table: string) => t.rows[table] as string

describe('check constraints', () => {
  it('requires a win probability exactly when a project is tentative', async () => {
    const project = (status: string, probability: number | null) =>
      run(
        (tx) => tx`
          insert into public.projects (organisation_id, client_id, name, code, status, win_probability_pct, currency,
            starts_on, ends_on)
          values (${a.orgId}, ${row(a, 'clients')}, 'Bid', ${`BID-${randomUUID().slice(0, 8)}`},
            ${status}::public.project_status, ${probability}, 'USD', '2027-03-01', '2027-06-30')
        `,
      )
    expect(await project('tentative', 60)).toEqual({ ok: true, count: 1 })
    expect(await project('tentative', null)).toEqual(
      violates('23514', 'projects_win_probability_iff_tentative'),
    )
    expect(await project('active', 60)).toEqual(violates('23514', 'projects_win_probability_iff_tentative'))
    expect(await project('tentative', 120)).toEqual(violates('23514', 'projects_win_probability_pct_range'))
  })

  it('keeps dates ordered, percentages within 0..100, proficiency 1..5 and hours non-negative', async () => {
    expect(
      await run(
        (tx) => tx`update public.allocations set ends_on = starts_on - 1 where id = ${row(a, 'allocations')}`,
      ),
    ).toEqual(violates('23514', 'allocations_dates_ordered'))
    expect(
      await run((tx) => tx`update public.tasks set percent_complete = 101 where id = ${row(a, 'tasks')}`),
    ).toEqual(violates('23514', 'tasks_percent_complete_range'))
    expect(
      await run(
        (tx) => tx`update public.person_skills set proficiency = 6 where id = ${row(a, 'person_skills')}`,
      ),
    ).toEqual(violates('23514', 'person_skills_proficiency_range'))
    expect(
      await run((tx) => tx`update public.tasks set estimate_hours = -1 where id = ${row(a, 'tasks')}`),
    ).toEqual(violates('23514', 'tasks_estimate_hours_non_negative'))
    expect(
      await run((tx) => tx`update public.time_entries set hours = 0 where id = ${row(a, 'time_entries')}`),
    ).toEqual(violates('23514', 'time_entries_hours_range'))
    expect(
      await run(
        (tx) => tx`update public.quote_lines set likely_hours = 300 where id = ${row(a, 'quote_lines')}`,
      ),
    ).toEqual(violates('23514', 'quote_lines_hours_ordered'))
    expect(
      await run(
        (tx) => tx`update public.quote_versions set discount_pct = -5 where id = ${row(a, 'quote_versions')}`,
      ),
    ).toEqual(violates('23514', 'quote_versions_discount_pct_range'))
    expect(
      await run(
        (tx) => tx`update public.organisations set timezone = 'Mars/Olympus_Mons' where id = ${a.orgId}`,
      ),
    ).toEqual(violates('23514', 'organisations_timezone_valid'))
  })

  it('refuses a self-dependency and any dependency that closes a cycle', async () => {
    const depend = (from: string, to: string) =>
      run(
        (tx) => tx`
          insert into public.task_dependencies (organisation_id, project_id, predecessor_task_id, successor_task_id)
          values (${a.orgId}, ${row(a, 'projects')}, ${from}, ${to})
        `,
      )
    const [dependency] = await sql<{ predecessor_task_id: string; successor_task_id: string }[]>`
      select predecessor_task_id, successor_task_id from public.task_dependencies where id = ${row(a, 'task_dependencies')}
    `
    const first = dependency?.predecessor_task_id as string
    const second = dependency?.successor_task_id as string
    expect(await depend(first, first)).toEqual(violates('23514', 'task_dependencies_not_self'))
    expect(await depend(second, first)).toEqual(violates('23514', 'cycle'))
  })

  it('refuses overlapping rates for one role on one rate card', async () => {
    const outcome = await run(
      (tx) => tx`
        insert into public.rate_card_lines (organisation_id, rate_card_id, role_id, bill_rate_minor, effective_from)
        values (${a.orgId}, ${row(a, 'rate_cards')}, ${row(a, 'roles')}, 16000, '2026-06-01')
      `,
    )
    expect(outcome).toEqual(violates('23P01', 'rate_card_lines_no_overlap'))
  })

  it('allows one default standard rate card per organisation', async () => {
    const outcome = await run(
      (tx) => tx`
        insert into public.rate_cards (organisation_id, name, currency, is_default)
        values (${a.orgId}, 'Another standard', 'USD', true)
      `,
    )
    expect(outcome).toEqual(violates('23505', 'rate_cards_one_default_key'))
  })

  it('numbers agent log events uniquely per session', async () => {
    const outcome = await run(
      (tx) => tx`
        insert into public.agent_logs (organisation_id, session_id, seq, event_type)
        values (${a.orgId}, ${row(a, 'agent_sessions')}, 1, 'status')
      `,
    )
    expect(outcome).toEqual(violates('23505', 'agent_logs_session_id_seq_key'))
  })
})

describe('organisation consistency', () => {
  it("a row cannot reference another organisation's rows", async () => {
    const taskInA = (projectId: string) =>
      run(
        (tx) => tx`
          insert into public.tasks (organisation_id, project_id, name) values (${a.orgId}, ${projectId}, 'Sneaky')
        `,
      )
    expect(await taskInA(row(b, 'projects'))).toEqual(violates('23503', 'tasks_project_fkey'))
    expect(
      await run(
        (tx) =>
          tx`update public.time_entries set person_id = ${row(b, 'people')} where id = ${row(a, 'time_entries')}`,
      ),
    ).toEqual(violates('23503', 'time_entries_person_fkey'))
  })

  it("a task's phase belongs to the task's project", async () => {
    const crossProject = await asActor(sql, { kind: 'service_role' }, async (tx) => {
      const [project] = await tx<{ id: string }[]>`
        insert into public.projects (organisation_id, client_id, name, code, currency, starts_on, ends_on)
        values (${a.orgId}, ${row(a, 'clients')}, 'Other', 'OTHER-2', 'USD', '2027-01-01', '2027-02-01')
        returning id
      `
      return attempt(
        tx,
        (sp) => sp`insert into public.tasks (organisation_id, project_id, phase_id, name)
          values (${a.orgId}, ${project?.id as string}, ${row(a, 'phases')}, 'Misplaced')`,
      )
    })
    expect(crossProject).toEqual(violates('23503', 'tasks_phase_fkey'))
  })

  it('booked time protects its project from deletion; the organisation still deletes cleanly', async () => {
    expect(await run((tx) => tx`delete from public.projects where id = ${row(a, 'projects')}`)).toEqual(
      violates('23503', 'time_entries_project_fkey'),
    )
    expect(await run((tx) => tx`delete from public.organisations where id = ${a.orgId}`)).toEqual({
      ok: true,
      count: 1,
    })
  })
})

describe('row maintenance triggers', () => {
  it('bumps version on every update, so a stale compare-and-set updates nothing', async () => {
    const result = await asActor(sql, { kind: 'service_role' }, async (tx) => {
      const project = row(a, 'projects')
      const first =
        await tx`update public.projects set health = 'amber' where id = ${project} and version = 1`
      const stale = await tx`update public.projects set health = 'red' where id = ${project} and version = 1`
      const second =
        await tx`update public.projects set health = 'red', version = 1 where id = ${project} and version = 2`
      const [now] = await tx<{ version: number; health: string; touched: boolean }[]>`
        select version, health, updated_at > created_at as touched from public.projects where id = ${project}
      `
      return { first: first.count, stale: stale.count, second: second.count, now }
    })
    expect(result).toEqual({
      first: 1,
      stale: 0,
      second: 1,
      now: { version: 3, health: 'red', touched: true },
    })
  })

  it('maintains updated_at on every mutable table and version wherever the column exists', async () => {
    const missing = await sql<{ table_name: string; column_name: string }[]>`
      select c.table_name, c.column_name
      from information_schema.columns c
      where c.table_schema = 'public' and c.column_name in ('updated_at', 'version')
        and not exists (
          select from pg_trigger t
          join pg_proc p on p.oid = t.tgfoid
          join pg_namespace pn on pn.oid = p.pronamespace
          where t.tgrelid = format('public.%I', c.table_name)::regclass
            and pn.nspname = 'private'
            and p.proname = case c.column_name when 'updated_at' then 'set_updated_at' else 'bump_version' end
        )
    `
    expect(missing).toEqual([])
  })

  it("keeps agent_logs.timestamp (the original runtime's field) equal to created_at, whoever writes", async () => {
    const at = '2026-01-05T09:30:00.123Z'
    const times = await asActor(sql, { kind: 'service_role' }, async (tx) => {
      const session = row(a, 'agent_sessions')
      await tx`
        insert into public.agent_logs (organisation_id, session_id, seq, event_type, created_at)
        values (${a.orgId}, ${session}, 9001, 'reasoning', ${at}),
               (${a.orgId}, ${session}, 9002, 'reasoning', default)`
      await tx`
        update public.agent_logs set "timestamp" = '2000-01-01T00:00:00Z'
        where session_id = ${session} and seq = 9002`
      return tx<{ seq: number; same: boolean; at: Date }[]>`
        select seq, "timestamp" = created_at as same, "timestamp" as at from public.agent_logs
        where session_id = ${session} and seq > 9000 order by seq`
    })
    expect(times).toEqual([
      { seq: 9001, same: true, at: new Date(at) },
      { seq: 9002, same: true, at: expect.any(Date) },
    ])
  })
})

describe('catalog conventions', () => {
  it('stores money as bigint minor units, percentages as numeric(5,2), hours as numeric', async () => {
    const offenders = await sql<{ table_name: string; column_name: string; type: string }[]>`
      select table_name, column_name, format_type(a.atttypid, a.atttypmod) as type
      from information_schema.columns c
      join pg_attribute a on a.attrelid = format('public.%I', c.table_name)::regclass and a.attname = c.column_name
      where c.table_schema = 'public'
        and (
          (c.column_name like '%\\_minor' and c.data_type <> 'bigint')
          or (c.column_name like '%\\_pct' and format_type(a.atttypid, a.atttypmod) <> 'numeric(5,2)')
          or (c.column_name like '%hours%' and c.data_type <> 'numeric')
          or c.data_type in ('real', 'double precision', 'money')
        )
    `
    expect(offenders).toEqual([])
  })

  it('gives every foreign key an index that starts with its columns', async () => {
    const unindexed = await sql<{ constraint: string }[]>`
      select c.conname as constraint
      from pg_constraint c
      where c.contype = 'f' and c.connamespace = 'public'::regnamespace
        and not exists (
          select from pg_index i
          where i.indrelid = c.conrelid
            and (string_to_array(i.indkey::text, ' ')::smallint[])[1:array_length(c.conkey, 1)] = c.conkey
        )
    `
    expect(unindexed).toEqual([])
  })

  it('ties every table except organisations to an organisation, cascading on its deletion', async () => {
    const loose = await sql<{ relname: string }[]>`
      select cl.relname from pg_class cl
      where cl.relnamespace = 'public'::regnamespace and cl.relkind = 'r' and cl.relname <> 'organisations'
        and not exists (
          select from pg_constraint c
          where c.conrelid = cl.oid and c.contype = 'f' and c.confrelid = 'public.organisations'::regclass
            and c.confdeltype = 'c'
        )
    `
    expect(loose).toEqual([])
  })

  it('publishes agent sessions, logs and proposals to Realtime', async () => {
    const published = await sql<{ tablename: string }[]>`
      select tablename from pg_publication_tables where pubname = 'supabase_realtime' order by tablename
    `
    expect(published.map((p) => p.tablename)).toEqual(
      expect.arrayContaining(['agent_logs', 'agent_sessions', 'proposals']),
    )
  })

  it("publishes the agent_logs fields the original runtime's Realtime subscribers read", async () => {
    const [logs] = await sql<{ attnames: string[] }[]>`
      select attnames from pg_publication_tables
      where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = 'agent_logs'
    `
    expect(logs?.attnames).toEqual(
      expect.arrayContaining(['session_id', 'agent_name', 'message', 'timestamp', 'created_at']),
    )
  })
})
