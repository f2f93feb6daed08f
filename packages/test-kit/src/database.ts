import { randomBytes } from 'node:crypto'
import { Database, databaseEnvSchema } from '@psa/db'
import postgres from 'postgres'
import { inject } from 'vitest'
import { silentLogger } from './logging.js'

/**
 * What the test run prepared before any file ran (packages/devstack/src/test-database-setup.ts, the root
 * vitest config's globalSetup): a database for the whole run, and two templates to clone private ones from.
 */
export interface TestDatabasesInfo {
  /** The run's shared database: bootstrap, migrations and the demo data. */
  url: string
  /** The server's maintenance database, to create and drop scratch databases. */
  maintenanceUrl: string
  templates: {
    /** Bootstrap and migrations, no rows. */
    schema: string
    /** The schema plus the demo data (the schema template when the run skips the demo data). */
    seeded: string
  }
  /** Scratch databases are named with this prefix, so the run's teardown drops what a crashed file left. */
  scratchPrefix: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabases: TestDatabasesInfo
  }
}

function provided(): TestDatabasesInfo | undefined {
  try {
    return inject('testDatabases')
  } catch {
    // Outside a vitest worker (a bench script): only TEST_DATABASE_URL can say.
    return undefined
  }
}

/** The run's databases; fails with a clear message when the tests were not started by the root config. */
export function testDatabases(): TestDatabasesInfo {
  const info = provided()
  if (!info) {
    throw new Error(
      'No test databases: run tests through the root vitest config, whose globalSetup (packages/devstack/src/test-database-setup.ts) prepares them',
    )
  }
  return info
}

/**
 * The URL of this run's shared test database: a private copy (`<TEST_DATABASE_URL's name>_run_<pid>`) of a
 * template holding the bootstrap, every migration and the demo data, so concurrent test runs never share
 * one. Tests still create their own rows (their own tenants, see createTenant) so files run in parallel.
 */
export function testDatabaseUrl(): string {
  const url = provided()?.url ?? process.env.TEST_DATABASE_URL
  if (!url) testDatabases()
  return url as string
}

/** A Database (service and RLS access, as the services hold it) on `url`, this run's database by default. */
export function openTestDatabase(options: { url?: string; poolMax?: number } = {}): Database {
  const env = databaseEnvSchema.parse({
    DATABASE_URL: options.url ?? testDatabaseUrl(),
    DATABASE_POOL_MAX: String(options.poolMax ?? 4),
  })
  return new Database({ env, applicationName: 'psa-test', logger: silentLogger() })
}

export interface ScratchDatabase {
  url: string
  name: string
  /** A service connection to it, for fixtures and assertions. */
  db: Database
  /** Closes `db` and drops the database. */
  drop(): Promise<void>
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.href
}

async function onServer<T>(maintenanceUrl: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(maintenanceUrl, { max: 1, onnotice: () => {} })
  try {
    return await fn(sql)
  } finally {
    await sql.end({ timeout: 5 })
  }
}

/**
 * A database of one test file's own, cloned from a template in a fraction of a second: the schema only, or
 * with the demo data (`demoData: true`). For tests whose assertions see the whole database, such as queue
 * positions (global per agent type) or catalogue reads. Drop it in afterAll; a file that crashes leaves it
 * to the run's teardown.
 */
export async function createScratchDatabase(
  tag: string,
  options: { demoData?: boolean; poolMax?: number } = {},
): Promise<ScratchDatabase> {
  const info = testDatabases()
  const suffix = `${tag.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_${randomBytes(3).toString('hex')}`
  // Postgres cuts names at 63 bytes; keep the random part.
  const name = `${info.scratchPrefix}${suffix.slice(-(63 - info.scratchPrefix.length))}`
  const template = options.demoData ? info.templates.seeded : info.templates.schema
  await onServer(info.maintenanceUrl, (sql) => sql.unsafe(`create database "${name}" template "${template}"`))
  const url = databaseUrl(info.maintenanceUrl, name)
  const db = openTestDatabase({ url, poolMax: options.poolMax ?? 4 })
  let dropped: Promise<void> | undefined
  return {
    url,
    name,
    db,
    drop: () => {
      dropped ??= (async () => {
        await db.close()
        await onServer(info.maintenanceUrl, (sql) =>
          sql.unsafe(`drop database if exists "${name}" with (force)`),
        )
      })()
      return dropped
    },
  }
}
