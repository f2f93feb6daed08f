// `npm run bench:demo [-- --people 50,5000 --runs 7]`: the same reads at each size of the demo firm, so
// how they scale is measured rather than guessed. Per size it sets up (or reuses) its own database
// `<prefix><people>_<fingerprint>` with the demo data at that size, then times, as the Northwind admin
// (RLS applies): the gateway's domain reads, the agents' tools (called as the Strands agent calls them) and the dashboard.
// Prints the median and slowest of the runs after one warm-up, and the load average (2-core machines are
// shared: read the figures with it).

import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import type { AgentToolContext } from '@psa/agent-runtime'
import { addDays } from '@psa/calendar'
import { Database, databaseEnvSchema, type Tx } from '@psa/db'
import {
  type DatabaseSeed,
  parseDatabaseUrl,
  removeDatabase,
  setupDatabase,
  templateFingerprint,
  withDatabase,
} from '@psa/supabase'
import { silentLogger } from '@psa/test-kit'
import { getProjectStatus } from '../../../services/agent-project/src/tools/project-status.js'
import { findCandidates } from '../../../services/agent-resourcing/src/tools/find-candidates.js'
import { listOpenRequests } from '../../../services/agent-resourcing/src/tools/open-requests.js'
import { capacityHeatmap } from '../../../services/gateway/src/domain/capacity.js'
import { getDashboard } from '../../../services/gateway/src/domain/dashboard.js'
import { getProject, listProjects } from '../../../services/gateway/src/domain/projects.js'
import { listQuotes } from '../../../services/gateway/src/domain/quotes.js'
import { getResource, listResources } from '../../../services/gateway/src/domain/resources.js'
import { demoAnchor, demoUser, NORTHWIND_ORGANISATION_ID as NW, sizedDemoDataSeed } from '../src/index.js'

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '50,5000' },
    runs: { type: 'string', default: '7' },
    server: {
      type: 'string',
      default: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/',
    },
    prefix: { type: 'string', default: 'psa_demo_bench_' },
    // The product's default: a read slower than this fails for the user, and is reported as such.
    'statement-timeout-ms': { type: 'string', default: '15000' },
  },
})
const sizes = values.people.split(',').map(Number)
const runs = Number(values.runs)
const today = new Date().toISOString().slice(0, 10)
const anchor = demoAnchor(today)
const admin = demoUser('admin@northwind.example')
const claims = { sub: admin.id, role: 'authenticated', aud: 'authenticated', email: admin.email }

type Step = [group: string, name: string, run: (db: Database, ids: Ids) => Promise<unknown>]
interface Ids {
  project: string
  person: string
  reactRequest: string
}

const asAdmin = <T>(db: Database, fn: (tx: Tx) => Promise<T>) => db.asUser(claims, fn)
const toolContext = (db: Database) =>
  ({
    session: { today, organisationId: NW, userId: admin.id },
    asUser: (fn) => asAdmin(db, fn),
  }) as Pick<AgentToolContext, 'asUser'> as AgentToolContext

const STEPS: Step[] = [
  [
    'domain',
    'GET /projects (50)',
    (db) => asAdmin(db, (tx) => listProjects(tx, { organisationId: NW, pageSize: 50, asOf: today })),
  ],
  [
    'domain',
    'GET /projects/:id (NW-201)',
    (db, ids) => asAdmin(db, (tx) => getProject(tx, ids.project, today)),
  ],
  [
    'domain',
    'GET /resources (50)',
    (db) => asAdmin(db, (tx) => listResources(tx, { organisationId: NW, pageSize: 50 })),
  ],
  [
    'domain',
    'GET /resources/:id (Priya)',
    (db, ids) => asAdmin(db, (tx) => getResource(tx, ids.person, today)),
  ],
  [
    'domain',
    'GET /capacity (12 weeks, all)',
    (db) => asAdmin(db, (tx) => capacityHeatmap(tx, { organisationId: NW, from: anchor, weeks: 12 })),
  ],
  [
    'domain',
    'GET /quotes (50)',
    (db) => asAdmin(db, (tx) => listQuotes(tx, { organisationId: NW, pageSize: 50 })),
  ],
  [
    'agent',
    'get_project_status all_active',
    (db) => getProjectStatus.run({ all_active: true }, toolContext(db)),
  ],
  [
    'agent',
    'get_project_status NW-202',
    (db) => getProjectStatus.run({ project: 'NW-202' }, toolContext(db)),
  ],
  [
    'agent',
    'find_candidates Senior Dev 4w',
    (db) =>
      findCandidates.run(
        { role: 'Senior Developer', starts_on: anchor, ends_on: addDays(anchor, 25), limit: 10 },
        toolContext(db),
      ),
  ],
  [
    'agent',
    'find_candidates React request',
    (db, ids) => findCandidates.run({ resource_request_id: ids.reactRequest }, toolContext(db)),
  ],
  ['agent', 'list_open_requests React', (db) => listOpenRequests.run({ skill: 'React' }, toolContext(db))],
  ['dashboard', 'GET /dashboard', (db) => asAdmin(db, (tx) => getDashboard(tx, NW, today))],
]

/** Milliseconds, or Infinity when the database gave up (statement timeout). */
async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  try {
    await fn()
  } catch (err) {
    if ((err as { code?: string }).code === 'DEADLINE_EXCEEDED') return Number.POSITIVE_INFINITY
    throw err
  }
  return performance.now() - started
}

/**
 * The size's database, named by the fingerprint of the schema and the generator (and today's date), so a
 * changed generator is measured on its own data rather than on rows an older one left; the size's
 * databases of other fingerprints are dropped.
 */
async function benchDatabase(people: number, seed: DatabaseSeed): Promise<URL> {
  const stem = `${values.prefix}${people}_`
  const url = onServer(`${stem}${await templateFingerprint(seed)}`)
  const stale = await withDatabase(
    parseDatabaseUrl(onServer('postgres').href),
    (sql) =>
      sql<{ datname: string }[]>`
      select datname from pg_database
      where starts_with(datname, ${stem}) or datname = ${`${values.prefix}${people}`}
    `,
  )
  for (const { datname } of stale)
    if (datname !== url.pathname.slice(1)) await removeDatabase(onServer(datname).href)
  return url
}

/** The URL of database `name` on the bench's server. */
function onServer(name: string): URL {
  const url = new URL(values.server)
  url.pathname = `/${name}`
  return url
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
const ms = (value: number | undefined) =>
  value === undefined
    ? '-'
    : Number.isFinite(value)
      ? value.toFixed(1)
      : `timeout (${values['statement-timeout-ms']} ms)`
const cell = (samples: number[] | undefined) =>
  samples ? `${ms(samples[Math.floor(samples.length / 2)])} / ${ms(samples.at(-1))}` : '-'
const results = new Map<number, Map<string, number[]>>()
const counts = new Map<number, Record<string, number>>()
process.stdout.write(`bench:demo ${today}, ${runs} runs after a warm-up; load average at start ${load()}\n`)
for (const people of sizes) {
  const seed = sizedDemoDataSeed(people)
  const url = await benchDatabase(people, seed)
  const setup = await setupDatabase({ databaseUrl: url.href, seed })
  process.stdout.write(`${people} people: database ${setup.database} ready in ${setup.timingsMs.total} ms\n`)
  const env = databaseEnvSchema.parse({
    DATABASE_URL: url.href,
    DATABASE_POOL_MAX: '4',
    DATABASE_STATEMENT_TIMEOUT_MS: values['statement-timeout-ms'],
  })
  const db = new Database({ env, applicationName: 'bench-demo', logger: silentLogger() })
  const [row] = await db.sql<
    { project: string; person: string; request: string; n: Record<string, number> }[]
  >`
    select (select id from public.projects where organisation_id = ${NW} and code = 'NW-201') as project,
      (select id from public.people where organisation_id = ${NW} and full_name = 'Priya Raman') as person,
      (select rr.id from public.resource_requests rr join public.projects p on p.id = rr.project_id
        where p.code = 'NW-201' and rr.status = 'open' and rr.min_proficiency >= 4 limit 1) as request,
      json_build_object(
        'people', (select count(*) from public.people where organisation_id = ${NW}),
        'projects', (select count(*) from public.projects where organisation_id = ${NW}),
        'allocations', (select count(*) from public.allocations where organisation_id = ${NW}),
        'time_entries', (select count(*) from public.time_entries where organisation_id = ${NW})) as n
  `
  if (!row) throw new Error('the demo data is not loaded')
  counts.set(people, row.n)
  const ids = { project: row.project, person: row.person, reactRequest: row.request }
  const timings = new Map<string, number[]>()
  for (const [, name, run] of STEPS) {
    const samples = [await time(() => run(db, ids))]
    // A read that timed out is not tried again: the figure is "fails", not how long failing takes.
    for (let i = 0; i < runs && Number.isFinite(samples[0]); i++) samples.push(await time(() => run(db, ids)))
    if (samples.length > 1) samples.shift()
    timings.set(
      name,
      samples.sort((a, b) => a - b),
    )
    process.stderr.write(`  ${people} people, ${name}: ${cell(samples)}\n`)
  }
  results.set(people, timings)
  await db.sql.end()
}

const header = ['', 'read', ...sizes.map((n) => `${n} people: median / max ms`)]
const rows = STEPS.map(([group, name]) => [group, name, ...sizes.map((n) => cell(results.get(n)?.get(name)))])
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)))
const line = (cells: string[]) => `${cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ')}\n`
process.stdout.write(`\n${line(header)}`)
for (const r of rows) process.stdout.write(line(r))
for (const n of sizes) process.stdout.write(`${n} people: ${JSON.stringify(counts.get(n))}\n`)
process.stdout.write(`load average at end ${load()}\n`)
