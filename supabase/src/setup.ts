import { performance } from 'node:perf_hooks'
import { AppError } from '@psa/errors'
import { applyBootstrap } from './bootstrap.js'
import { cliDatabaseUrl, parseDatabaseUrl } from './database-url.js'
import type { DatabaseSeed } from './seed.js'
import { dropDatabase, ensureDatabase, withDatabase, withMaintenance } from './server.js'
import { pushMigrations } from './supabase-cli.js'

export interface SetupOptions {
  /** postgres:// URL of the database to set up; created if missing. */
  databaseUrl: string
  /** Rows to load after migrating (the demo data); none by default. */
  seed?: DatabaseSeed | undefined
  /** Progress lines for a human; silent by default. */
  log?: (line: string) => void
}

export interface SetupResult {
  database: string
  created: boolean
  migrationsApplied: string[]
  seeded: boolean
  timingsMs: { bootstrap: number; migrations: number; seed: number; total: number }
}

/**
 * Makes the database ready to use: creates it if missing, applies the Supabase compatibility bootstrap and
 * every pending migration (with the Supabase CLI, as on hosted Supabase), then loads the seed if given.
 * Safe to run repeatedly: each step is idempotent and an up-to-date database only costs a few checks.
 */
export async function setupDatabase(options: SetupOptions): Promise<SetupResult> {
  const log = options.log ?? (() => {})
  const location = parseDatabaseUrl(options.databaseUrl)
  const started = performance.now()
  const lap = (() => {
    let last = started
    return () => {
      const now = performance.now()
      const ms = Math.round(now - last)
      last = now
      return ms
    }
  })()

  const created = await withMaintenance(location, (admin) => ensureDatabase(admin, location.database))
  log(created ? `created database ${location.database}` : `database ${location.database} exists`)
  lap()

  await applyBootstrap(location)
  const bootstrap = lap()
  log(`applied the Supabase compatibility bootstrap (${bootstrap} ms)`)

  const { applied } = await pushMigrations(cliDatabaseUrl(location))
  const migrations = lap()
  log(
    applied.length > 0
      ? `applied ${applied.length} migration(s) (${migrations} ms): ${applied.join(', ')}`
      : `migrations up to date (${migrations} ms)`,
  )

  const { seed } = options
  if (seed) {
    await withDatabase(location, (sql) => seed.load(sql), { max: 4 }).catch((cause: unknown) => {
      const reason = cause instanceof Error ? cause.message : String(cause)
      throw new AppError('INTERNAL', `loading the ${seed.name} failed: ${reason}`, {
        cause,
        details: { step: 'seed', seed: seed.name },
      })
    })
  }
  const seedMs = lap()
  if (seed) log(`loaded the ${seed.name} (${seedMs} ms)`)

  return {
    database: location.database,
    created,
    migrationsApplied: applied,
    seeded: seed !== undefined,
    timingsMs: { bootstrap, migrations, seed: seedMs, total: Math.round(performance.now() - started) },
  }
}

/** Drops the database, disconnecting its clients; nothing happens when it does not exist. */
export async function removeDatabase(databaseUrl: string): Promise<void> {
  const location = parseDatabaseUrl(databaseUrl)
  await withMaintenance(location, (admin) => dropDatabase(admin, location.database))
}

/** Drops the database (disconnecting its clients) and sets it up again from scratch. */
export async function resetDatabase(options: SetupOptions): Promise<SetupResult> {
  await removeDatabase(options.databaseUrl)
  options.log?.(`dropped database ${parseDatabaseUrl(options.databaseUrl).database}`)
  return setupDatabase(options)
}
