import { randomBytes } from 'node:crypto'
import { applyBootstrap } from './bootstrap.js'
import { cliDatabaseUrl, type DatabaseLocation } from './database-url.js'
import { dropDatabase, ensureDatabase, withMaintenance } from './server.js'
import { pushMigrations } from './supabase-cli.js'

/**
 * Runs fn against a brand-new database (bootstrap + migrations, no data) on the same server as `server`,
 * dropped afterwards: for checks that must see exactly what the migrations produce (advisors, type
 * generation), whatever state the developer's own database is in.
 */
export async function withFreshSchema<T>(
  server: DatabaseLocation,
  purpose: string,
  fn: (location: DatabaseLocation) => Promise<T>,
): Promise<T> {
  const location = server.withDatabase(`psa_${purpose}_${process.pid}_${randomBytes(3).toString('hex')}`)
  await withMaintenance(location, (admin) => ensureDatabase(admin, location.database))
  try {
    await applyBootstrap(location)
    await pushMigrations(cliDatabaseUrl(location))
    return await fn(location)
  } finally {
    await withMaintenance(location, (admin) => dropDatabase(admin, location.database))
  }
}
