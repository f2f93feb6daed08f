import { performance } from 'node:perf_hooks'
import type { IsoDate } from '@psa/calendar'
import { AppError } from '@psa/errors'
import type postgres from 'postgres'
import {
  DEMO_ORGANISATIONS,
  DEMO_USERS,
  type DemoOrganisationSlug,
  NORTHWIND_ORGANISATION_ID,
} from './constants.js'
import { type DemoData, generateDemoData } from './generate.js'
import { type AuthUserRow, DEMO_TABLE_NAMES, type DemoTableName, type DemoTables } from './types.js'

export interface LoadDemoDataOptions {
  /** Today's date (default: the real one); the data is anchored on the Monday of its week. */
  today?: Date | IsoDate
  /**
   * Delete the demo organisations (and everything in them) first, so the data is re-anchored on today.
   * Without it an organisation that already exists is left exactly as it is.
   */
  reset?: boolean
  /** Pre-generated data (tests); generated from `today` otherwise. */
  data?: DemoData
  /** About how many people Northwind has (see `generateDemoData`); the core firm of 52 by default. */
  people?: number
}

export interface LoadDemoDataResult {
  /** The anchor of the generated data; null when everything was already there and nothing was generated. */
  anchor: IsoDate | null
  loaded: DemoOrganisationSlug[]
  skipped: DemoOrganisationSlug[]
  /** Rows inserted per table. */
  rows: Partial<Record<DemoTableName, number>>
  timingsMs: { generate: number; load: number }
}

// Every query that carries the demo data set's rows; one lock so two loaders never interleave.
const LOCK_KEY = 'psa:demo-data'
// Postgres allows 65,535 parameters in one statement.
const MAX_PARAMETERS = 60_000

type LaterTable = Exclude<DemoTableName, 'auth_users' | 'organisations' | 'clients' | 'rate_cards'>
const FIRST = new Set<DemoTableName>(['auth_users', 'organisations', 'clients', 'rate_cards'])
/** Tables in foreign-key order after the first ones; clients and rate_cards reference each other and go in together. */
const ORDER = DEMO_TABLE_NAMES.filter((t): t is LaterTable => !FIRST.has(t))

function columnsOf(rows: readonly object[]): string[] {
  const first = rows[0]
  return first ? Object.keys(first) : []
}

function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size))
  return out
}

/** What a password-less Supabase Auth user looks like (GoTrue reads these token columns as non-null). */
function authUserRecord(user: AuthUserRow) {
  return {
    instance_id: '00000000-0000-0000-0000-000000000000',
    id: user.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: user.email,
    encrypted_password: '',
    email_confirmed_at: user.created_at,
    confirmation_token: '',
    recovery_token: '',
    email_change_token_new: '',
    email_change: '',
    raw_app_meta_data: { provider: 'email', providers: ['email'] },
    raw_user_meta_data: { full_name: user.full_name },
    is_super_admin: false,
    created_at: user.created_at,
    updated_at: user.created_at,
  }
}

/** The multi-row `(columns) values (...), (...)` helper of postgres.js for rows that share their keys. */
function values(tx: postgres.TransactionSql, rows: readonly object[]) {
  return tx(rows as postgres.Row[], columnsOf(rows))
}

/** Tables above this many rows go in with COPY (a firm of thousands has hundreds of thousands of entries). */
const COPY_FROM_ROWS = 5_000

/** A value in COPY's text format: \N for null, backslash escapes for the characters it treats specially. */
function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N'
  if (typeof value === 'boolean') return value ? 't' : 'f'
  if (typeof value === 'object') return copyValue(JSON.stringify(value))
  return String(value).replace(/[\\\n\r\t]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t',
  )
}

/** COPY FROM STDIN in batches of lines: far less work per row than parameters, and the same checks. */
async function copyRows(tx: postgres.TransactionSql, table: string, rows: readonly object[]): Promise<void> {
  const columns = columnsOf(rows)
  const stream = await tx`copy ${tx(table)} (${tx(columns)}) from stdin`.writable()
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve)
    stream.on('error', reject)
  })
  const BATCH = 2_000
  for (let i = 0; i < rows.length; i += BATCH) {
    let text = ''
    for (const row of rows.slice(i, i + BATCH) as Record<string, unknown>[]) {
      text += `${columns.map((c) => copyValue(row[c])).join('\t')}\n`
    }
    if (!stream.write(text)) await new Promise((resolve) => stream.once('drain', resolve))
  }
  stream.end()
  await done
}

async function insertRows(
  tx: postgres.TransactionSql,
  table: string,
  rows: readonly object[],
): Promise<void> {
  const columns = columnsOf(rows).length
  if (columns === 0) return
  if (rows.length >= COPY_FROM_ROWS) return copyRows(tx, table, rows)
  const size = Math.max(1, Math.floor(MAX_PARAMETERS / columns))
  for (const chunk of chunks(rows, size)) {
    await tx`insert into ${tx(table)} ${values(tx, chunk)}`
  }
}

/**
 * Loads the demo data set (Northwind Consulting and Bluebird Studio, their demo users and memberships) in
 * one transaction, as the connection's role (the table owner, so row level security does not apply, but
 * every constraint and trigger does).
 *
 * Idempotent by organisation: an organisation whose id is already present is skipped entirely, so running
 * it again changes nothing, and data people have changed since is never overwritten. Demo users are
 * inserted when missing. `reset: true` deletes the two demo organisations first (cascading to all their
 * rows) and loads them afresh, anchored on today.
 */
export async function loadDemoData(
  sql: postgres.Sql,
  options: LoadDemoDataOptions = {},
): Promise<LoadDemoDataResult> {
  const started = performance.now()
  const ids = DEMO_ORGANISATIONS.map((o) => o.id)
  const slugs = DEMO_ORGANISATIONS.map((o) => o.slug)
  if (!options.reset && !options.data) {
    // The common case on every `db:setup` after the first: nothing to do, so do not generate anything.
    const [present] = await sql<{ count: number }[]>`
      select count(*)::int as count from public.organisations where id in ${sql(ids)}
    `
    if (present?.count === ids.length) {
      return {
        anchor: null,
        loaded: [],
        skipped: [...slugs],
        rows: {},
        timingsMs: { generate: 0, load: Math.round(performance.now() - started) },
      }
    }
  }
  const data =
    options.data ?? generateDemoData({ today: options.today ?? new Date(), people: options.people })
  const generated = performance.now()

  const outcome = await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtextextended(${LOCK_KEY}, 0))`
    if (options.reset) await tx`delete from public.organisations where id in ${tx(ids)}`

    const existing = await tx<{ id: string; slug: string }[]>`
      select id, slug from public.organisations where id in ${tx(ids)} or slug in ${tx(slugs)}
    `
    for (const row of existing) {
      const demo = DEMO_ORGANISATIONS.find((o) => o.slug === row.slug)
      if (demo && demo.id !== row.id) {
        throw new AppError(
          'CONFLICT',
          `an organisation with the demo slug "${row.slug}" already exists with another id (${row.id}); rename or delete it to load the demo data`,
          { details: { slug: row.slug, id: row.id } },
        )
      }
    }
    const present = new Set(existing.map((r) => r.id))
    const load = DEMO_ORGANISATIONS.filter((o) => !present.has(o.id))
    const skipped = DEMO_ORGANISATIONS.filter((o) => present.has(o.id)).map((o) => o.slug)
    const rows: Partial<Record<DemoTableName, number>> = {}
    if (load.length === 0) return { loaded: [], skipped, rows }

    const emails = DEMO_USERS.map((u) => u.email)
    const clashes = await tx<{ id: string; email: string }[]>`
      select id, email from auth.users where email in ${tx(emails)}
    `
    for (const clash of clashes) {
      const user = DEMO_USERS.find((u) => u.email === clash.email)
      if (user && user.id !== clash.id) {
        throw new AppError(
          'CONFLICT',
          `the demo user ${clash.email} already exists with another id (${clash.id}); delete that user to load the demo data`,
          { details: { email: clash.email, id: clash.id } },
        )
      }
    }
    const users = data.tables.auth_users.filter((u) =>
      load.some((o) => DEMO_USERS.find((d) => d.id === u.id)?.organisationId === o.id),
    )
    if (users.length > 0) {
      const records = users.map(authUserRecord)
      const inserted = await tx`
        insert into auth.users ${values(tx, records)} on conflict (id) do nothing returning id
      `
      rows.auth_users = inserted.length
    }

    const loading = new Set(load.map((o) => o.id))
    const mine = <T extends { organisation_id?: string; id: string }>(list: readonly T[]) =>
      list.filter((r) => loading.has(r.organisation_id ?? r.id))
    const tables: DemoTables = data.tables

    const organisations = mine(tables.organisations)
    await insertRows(tx, 'organisations', organisations)
    rows.organisations = organisations.length

    // Clients name their default rate card and client rate cards name their client: one statement inserts
    // both, since foreign keys are checked at its end.
    const clients = mine(tables.clients)
    const rateCards = mine(tables.rate_cards)
    if (clients.length > 0 && rateCards.length > 0) {
      await tx`
        with c as (insert into public.clients ${values(tx, clients)} returning 1),
             r as (insert into public.rate_cards ${values(tx, rateCards)} returning 1)
        select (select count(*) from c) as clients, (select count(*) from r) as rate_cards
      `
    } else {
      await insertRows(tx, 'clients', clients)
      await insertRows(tx, 'rate_cards', rateCards)
    }
    rows.clients = clients.length
    rows.rate_cards = rateCards.length

    for (const table of ORDER) {
      const list = mine(tables[table] as readonly { organisation_id: string; id: string }[])
      await insertRows(tx, table, list)
      rows[table] = list.length
    }
    return { loaded: load.map((o) => o.slug), skipped, rows }
  })

  if (outcome.loaded.length > 0) {
    // Fresh statistics for what was just loaded: without them the planner sizes these tables as empty or
    // as they were, and at thousands of people picks plans that take seconds (a cycle check on one new task
    // dependency: ~1 s instead of 0.1 ms; the dashboard: minutes) until autovacuum gets round to them.
    const loadedTables = DEMO_TABLE_NAMES.filter((t) => t !== 'auth_users' && (outcome.rows[t] ?? 0) > 0)
    await sql`analyze ${sql(loadedTables.map((t) => `public.${t}`))}`
  }
  return {
    anchor: data.anchor,
    ...outcome,
    timingsMs: { generate: Math.round(generated - started), load: Math.round(performance.now() - generated) },
  }
}

/** Whether the database holds the demo data (tests that need it skip when a run left it out). */
export async function demoDataLoaded(sql: postgres.Sql): Promise<boolean> {
  const rows = await sql`select 1 from public.organisations where id = ${NORTHWIND_ORGANISATION_ID}`
  return rows.length > 0
}
