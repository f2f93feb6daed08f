import { Writable } from 'node:stream'
import { createLogger, type Logger } from '@psa/config'
import { Database, databaseEnvSchema } from '@psa/db'
import { testDatabaseUrl } from '@psa/supabase/testing'

export const silentLogger: Logger = createLogger({
  service: 'test',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, done) => done() }),
})

/**
 * A Database on this test run's database (prepared by the root vitest globalSetup with the migrations and the
 * demo data). Close it in afterAll.
 */
export function openTestDatabase(options: { poolMax?: number } = {}): Database {
  const env = databaseEnvSchema.parse({
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_POOL_MAX: String(options.poolMax ?? 4),
  })
  return new Database({ env, applicationName: 'psa-test', logger: silentLogger })
}
