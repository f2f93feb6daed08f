import { performance } from 'node:perf_hooks'
import { AppError } from '@psa/errors'
import { applyBootstrap } from './bootstrap.js'
import { cliDatabaseUrl, parseDatabaseUrl } from './database-url.js'
import { loadDemoData } from './demo/index.js'
import { dropDatabase, ensureDatabase, withDatabase, withMaintenance } from './server.js'
import { pushMigrations } from './supabase-cli.js'

export interface SetupOptions {
  /** postgres:// URL of the database to set up; created if missing. */
  databaseUrl: string
  /** Load the demo data set after migrating (default true). */
  demoData?: boolean
  /** Progress lines for a human; silent by default. */
  log?: (line: string) => void
}

export interface SetupResult {
  database: string
  created: boolean
  migrationsApplied: string[]
  demoDataLoaded: boolean
  timingsMs: { bootstrap: number; migrations: number; demoData: number; total: number }
}

/**
 * Makes the database ready to use: creates it if missing, applies the Supabase compatibility bootstrap and
 * every pending migration (with the Supabase CLI, as on hosted Supabase), then loads the demo data.
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

  const demoData = options.demoData ?? true
  if (demoData) {
    await withDatabase(location, (sql) => loadDemoData(sql), { max: 4 }).catch((cause: unknown) => {
      const reason = cause instanceof Error ? cause.message : String(cause)
      throw new AppError('INTERNAL', `loading the demo data failed: ${reason}`, {
        cause,
        details: { step: 'demo-data' },
      })
    })
  }
  const demoMs = lap()
  if (demoData) log(`loaded the demo data (${demoMs} ms)`)

  return {
    database: location.database,
    created,
    migrationsApplied: applied,
    demoDataLoaded: demoData,
    timingsMs: { bootstrap, migrations, demoData: demoMs, total: Math.round(performance.now() - started) },
  }
}

/** Drops the database (disconnecting its clients) and sets it up again from scratch. */
export async function resetDatabase(options: SetupOptions): Promise<SetupResult> {
  const location = parseDatabaseUrl(options.databaseUrl)
  await withMaintenance(location, (admin) => dropDatabase(admin, location.database))
  options.log?.(`dropped database ${location.database}`)
  return setupDatabase(options)
}
