import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { performance } from 'node:perf_hooks'
import { applyBootstrap } from '../bootstrap.js'
import { cliDatabaseUrl, type DatabaseLocation, parseDatabaseUrl } from '../database-url.js'
import { loadDemoData } from '../demo/index.js'
import { paths } from '../paths.js'
import {
  databaseExists,
  dropDatabase,
  ensureDatabase,
  withDatabase,
  withMaintenance,
  withServerLock,
} from '../server.js'
import { pushMigrations } from '../supabase-cli.js'

const require = createRequire(import.meta.url)

export interface PrepareOptions {
  /** TEST_DATABASE_URL: its database name is the prefix of the template and of this run's database. */
  baseUrl: string
  /** Load the demo data into the template (default true). */
  demoData?: boolean
  log?: (line: string) => void
}

export interface PreparedTestDatabase {
  url: string
  database: string
  template: string
  templateBuilt: boolean
  demoData: boolean
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
 * A digest of everything the template's contents depend on: the bootstrap, the migrations, the demo
 * generator's sources, the CLI version and today's date (the demo data is laid out around today). Any
 * change yields a new template; an unchanged tree reuses it.
 */
async function templateFingerprint(demoData: boolean): Promise<string> {
  const hash = createHash('sha256')
  const files = [
    paths.bootstrapFile,
    ...(await filesUnder(paths.migrationsDir)),
    ...(demoData ? await filesUnder(paths.demoDir) : []),
  ]
  for (const file of files) {
    hash
      .update(relative(paths.packageRoot, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0')
  }
  hash.update(`supabase@${(require('supabase/package.json') as { version: string }).version}`)
  hash.update(`demo=${demoData}`)
  if (demoData) hash.update(new Date().toISOString().slice(0, 10))
  return hash.digest('hex').slice(0, 12)
}

async function buildTemplate(server: DatabaseLocation, name: string, demoData: boolean): Promise<void> {
  // Built under a temporary name and renamed when complete, so a crash never leaves a half-built template
  // that later runs would trust.
  const building = server.withDatabase(`${name}_new`)
  await withMaintenance(server, async (admin) => {
    await dropDatabase(admin, building.database)
    await ensureDatabase(admin, building.database)
  })
  await applyBootstrap(building)
  await pushMigrations(cliDatabaseUrl(building))
  if (demoData) {
    await withDatabase(building, (sql) => loadDemoData(sql), { max: 4 })
  }
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
 * Prepares this run's test database: reuses (or builds, once) a template with the bootstrap, migrations and
 * demo data, and clones it into `<name>_run_<pid>`. Cloning takes a fraction of a second, so every run
 * starts from the same pristine state, and runs by different people on the same server never collide.
 */
export async function prepareTestDatabase(options: PrepareOptions): Promise<PreparedTestDatabase> {
  const started = performance.now()
  const log = options.log ?? (() => {})
  const demoData = options.demoData ?? true
  const base = parseDatabaseUrl(options.baseUrl, 'TEST_DATABASE_URL')
  if (base.database.length > 40) {
    throw new Error(
      `TEST_DATABASE_URL's database name "${base.database}" is too long (at most 40 characters)`,
    )
  }
  const template = `${base.database}_tpl_${await templateFingerprint(demoData)}`
  const run = base.withDatabase(`${base.database}_run_${process.pid}`)

  let templateBuilt = false
  await withServerLock(base, `test-template:${base.database}`, async () => {
    await withMaintenance(base, async (admin) => {
      // Templates are only built and cloned while holding this lock, so any other template (or a half-built
      // one left by a crash) is stale.
      const templates = await admin<{ datname: string }[]>`
        select datname from pg_database where datname like ${`${base.database}\\_tpl\\_%`} and datname <> ${template}
      `
      for (const { datname } of templates) await dropDatabase(admin, datname).catch(() => {})
    })
    if (!(await withMaintenance(base, (admin) => databaseExists(admin, template)))) {
      log(`test database: building template ${template}`)
      await buildTemplate(base, template, demoData)
      templateBuilt = true
    }
    // Cloned under the lock too, so no other run drops this template between our look-up and the copy.
    await withMaintenance(base, async (admin) => {
      await dropDatabase(admin, run.database)
      await admin.unsafe(`create database "${run.database}" template "${template}"`)
    })
  })

  await withMaintenance(base, async (admin) => {
    // Runs that died without their teardown leave their database behind; their pid tells.
    const runs = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`${base.database}\\_run\\_%`}
    `
    for (const { datname } of runs) {
      const pid = Number(/_run_(\d+)$/.exec(datname)?.[1])
      if (pid && pid !== process.pid && !pidIsAlive(pid)) await dropDatabase(admin, datname).catch(() => {})
    }
  })

  return {
    url: run.url,
    database: run.database,
    template,
    templateBuilt,
    demoData,
    ms: Math.round(performance.now() - started),
  }
}

/** Drops this run's database. */
export async function dropTestDatabase(url: string): Promise<void> {
  const location = parseDatabaseUrl(url, 'TEST_DATABASE_URL')
  await withMaintenance(location, (admin) => dropDatabase(admin, location.database))
}
