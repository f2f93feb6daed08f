import { AppError } from '@psa/errors'
import postgres from 'postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { parseDatabaseUrl } from './database-url.js'
import { dropDatabase, withMaintenance } from './server.js'
import { setupDatabase } from './setup.js'
import { testDatabaseUrl } from './testing/test-database.js'

// A database of this file's own on the test server, set up exactly as `npm run db:setup` does.
const location = parseDatabaseUrl(testDatabaseUrl()).withDatabase(`psa_setup_${process.pid}`)

afterAll(async () => {
  await withMaintenance(location, (admin) => dropDatabase(admin, location.database))
})

describe('setupDatabase', () => {
  it('creates, migrates and loads a database, and a second run changes nothing', async () => {
    const first = await setupDatabase({ databaseUrl: location.url })
    expect(first).toMatchObject({ database: location.database, created: true, demoDataLoaded: true })
    expect(first.migrationsApplied.length).toBeGreaterThan(0)

    const sql = postgres(location.url, { max: 1, onnotice: () => {} })
    const counts = async () =>
      (
        await sql<{ n: number }[]>`
        select (select count(*) from public.organisations) + (select count(*) from public.time_entries)
          + (select count(*) from auth.users) as n
      `
      )[0]?.n
    try {
      const before = await counts()
      expect(Number(before)).toBeGreaterThan(0)
      const second = await setupDatabase({ databaseUrl: location.url })
      expect(second).toMatchObject({ created: false, migrationsApplied: [] })
      expect(await counts()).toEqual(before)
    } finally {
      await sql.end()
    }
  }, 120_000)

  it('says how to start Postgres when it is not running', async () => {
    const error = await setupDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/psa' }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(AppError)
    expect(error).toMatchObject({ code: 'UNAVAILABLE' })
    expect((error as Error).message).toContain('pg_ctlcluster --skip-systemctl-redirect 15 main start')
  })
})
