import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { performance } from 'node:perf_hooks'
import { applyBootstrap } from './bootstrap.js'
import { cliDatabaseUrl, type DatabaseLocation, parseDatabaseUrl } from './database-url.js'
import { paths } from './paths.js'
import type { DatabaseSeed } from './seed.js'
import {
  databaseExists,
  dropDatabase,
  ensureDatabase,
  withDatabase,
  withMaintenance,
  withServerLock,
} from './server.js'
import { pushMigrations } from './supabase-cli.js'

const require = createRequire(import.meta.url)

export interface PrepareTestDatabasesOptions {
  /** TEST_DATABASE_URL: its database name prefixes the templates and every database of the run. */
  baseUrl: string
  /** Loaded into the seeded template (the demo data); without it both templates hold the schema only. */
  seed?: DatabaseSeed | undefined
  log?: (line: string) => void
}

/**
 * What a test run works on, all on the server of TEST_DATABASE_URL. `url` is the run's shared database;
 * test files that need a database of their own clone one of the templates, naming it
 * `<scratchPrefix><anything>` so the run's teardown (or the next run, if this one dies) drops it.
 */
export interface TestDatabases {
  /** `<base>_run_<pid>`: a clone of the seeded template, for the whole run. */
  url: string
  database: string
  /** The server's maintenance database (to create and drop scratch databases). */
  maintenanceUrl: string
  templates: {
    /** Bootstrap and migrations, no rows. */
    schema: string
    /** The schema template plus the seed (the same as `schema` when there is no seed). */
    seeded: string
  }
  /** `<base>_scr_<pid>_`: the names of this run's scratch databases start with it. */
  scratchPrefix: string
  templatesBuilt: boolean
  seeded: boolean
  ms: number
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries
    .filter((e) => e.isFile() && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort()
}

/**
 * A digest of everything the templates hold: the bootstrap, the migrations, the seed's sources, the CLI
 * version and, for a seed laid out around today, the date. Any change yields new templates; an unchanged
 * tree reuses them.
 */
export async function templateFingerprint(seed: DatabaseSeed | undefined): Promise<string> {
  const hash = createHash('sha256')
  const files = [
    paths.bootstrapFile,
    ...(await filesUnder(paths.migrationsDir)),
    ...(seed ? await filesUnder(seed.sourceDir) : []),
  ]
  for (const file of files) {
    hash
      .update(relative(paths.repoRoot, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0')
  }
  hash.update(`supabase@${(require('supabase/package.json') as { version: string }).version}`)
  hash.update(`seed=${seed?.name ?? ''}`)
  if (seed?.dated) hash.update(new Date().toISOString().slice(0, 10))
  return hash.digest('hex').slice(0, 12)
}

/**
 * Builds a template under a temporary name and renames it when complete, so a crash never leaves a
 * half-built template that later runs would trust.
 */
async function buildTemplate(
  server: DatabaseLocation,
  name: string,
  fill: (building: DatabaseLocation) => Promise<void>,
  from?: string,
): Promise<void> {
  const building = server.withDatabase(`${name}_new`)
  await withMaintenance(server, async (admin) => {
    await dropDatabase(admin, building.database)
    if (from) await admin.unsafe(`create database "${building.database}" template "${from}"`)
    else await ensureDatabase(admin, building.database)
  })
  await fill(building)
  await withMaintenance(server, async (admin) => {
    await admin.unsafe(`alter database "${building.database}" rename to "${name}"`)
    // No one may connect to a template: a connection would block every clone.
    await admin.unsafe(`alter database "${name}" with is_template true allow_connections false`)
  })
}

function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Prepares a test run's databases: reuses (or builds, once) a schema template (bootstrap + migrations)
 * and a seeded one (plus the demo data), and clones the seeded one into `<base>_run_<pid>`. Cloning takes
 * a fraction of a second, so every run and every scratch database starts from the same pristine state,
 * and runs by different people on the same server never collide.
 */
export async function prepareTestDatabases(options: PrepareTestDatabasesOptions): Promise<TestDatabases> {
  const started = performance.now()
  const log = options.log ?? (() => {})
  const { seed } = options
  const base = parseDatabaseUrl(options.baseUrl, 'TEST_DATABASE_URL')
  if (base.database.length > 40) {
    throw new Error(
      `TEST_DATABASE_URL's database name "${base.database}" is too long (at most 40 characters)`,
    )
  }
  const fingerprint = await templateFingerprint(seed)
  const templates = {
    schema: `${base.database}_tpl_${fingerprint}_schema`,
    seeded: seed ? `${base.database}_tpl_${fingerprint}` : `${base.database}_tpl_${fingerprint}_schema`,
  }
  const run = base.withDatabase(`${base.database}_run_${process.pid}`)

  let templatesBuilt = false
  await withServerLock(base, `test-template:${base.database}`, async () => {
    await withMaintenance(base, async (admin) => {
      // Templates are only built and cloned while holding this lock, so any other template (or a half-built
      // one left by a crash) is stale.
      const stale = await admin<{ datname: string }[]>`
        select datname from pg_database where datname like ${`${base.database}\\_tpl\\_%`}
          and datname <> all(${[templates.schema, templates.seeded]}::text[])
      `
      for (const { datname } of stale) await dropDatabase(admin, datname).catch(() => {})
    })
    const exists = (name: string) => withMaintenance(base, (admin) => databaseExists(admin, name))
    if (!(await exists(templates.schema))) {
      log(`test database: building template ${templates.schema}`)
      await buildTemplate(base, templates.schema, async (building) => {
        await applyBootstrap(building)
        await pushMigrations(cliDatabaseUrl(building))
      })
      templatesBuilt = true
    }
    if (seed && !(await exists(templates.seeded))) {
      log(`test database: building template ${templates.seeded} (with the ${seed.name})`)
      await buildTemplate(
        base,
        templates.seeded,
        (building) => withDatabase(building, (sql) => seed.load(sql).then(() => {}), { max: 4 }),
        templates.schema,
      )
      templatesBuilt = true
    }
    // Cloned under the lock too, so no other run drops the template between our look-up and the copy.
    await withMaintenance(base, async (admin) => {
      await dropDatabase(admin, run.database)
      await admin.unsafe(`create database "${run.database}" template "${templates.seeded}"`)
    })
  })

  await withMaintenance(base, async (admin) => {
    // Runs that died without their teardown leave their databases behind; their pid tells.
    const leftovers = await admin<{ datname: string }[]>`
      select datname from pg_database
      where datname like ${`${base.database}\\_run\\_%`} or datname like ${`${base.database}\\_scr\\_%`}
    `
    for (const { datname } of leftovers) {
      const pid = Number(/_(?:run|scr)_(\d+)(?:_|$)/.exec(datname)?.[1])
      if (pid && pid !== process.pid && !pidIsAlive(pid)) await dropDatabase(admin, datname).catch(() => {})
    }
  })

  return {
    url: run.url,
    database: run.database,
    maintenanceUrl: base.maintenanceUrl,
    templates,
    scratchPrefix: `${base.database}_scr_${process.pid}_`,
    templatesBuilt,
    seeded: seed !== undefined,
    ms: Math.round(performance.now() - started),
  }
}

/** Drops the run's database and whatever scratch databases its test files left behind. */
export async function dropTestDatabases(prepared: TestDatabases): Promise<void> {
  const location = parseDatabaseUrl(prepared.url, 'TEST_DATABASE_URL')
  await withMaintenance(location, async (admin) => {
    const scratch = await admin<{ datname: string }[]>`
      select datname from pg_database where starts_with(datname, ${prepared.scratchPrefix})
    `
    for (const { datname } of scratch) await dropDatabase(admin, datname)
    await dropDatabase(admin, location.database)
  })
}
