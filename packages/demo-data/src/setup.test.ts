import { parseDatabaseUrl, removeDatabase, setupDatabase } from '@psa/supabase'
import { testDatabaseUrl } from '@psa/test-kit'
import postgres from 'postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { demoDataSeed } from './seed.js'

// A database of this file's own on the test server, set up exactly as `npm run db:setup` does.
const location = parseDatabaseUrl(testDatabaseUrl()).withDatabase(`psa_setup_${process.pid}`)

afterAll(async () => {
  await removeDatabase(location.url)
})

describe('setupDatabase with the demo data', () => {
  it('creates, migrates and loads a database, and a second run changes nothing', async () => {
    const first = await setupDatabase({ databaseUrl: location.url, seed: demoDataSeed })
    expect(first).toMatchObject({ database: location.database, created: true, seeded: true })
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
      const second = await setupDatabase({ databaseUrl: location.url, seed: demoDataSeed })
      expect(second).toMatchObject({ created: false, migrationsApplied: [] })
      expect(await counts()).toEqual(before)
    } finally {
      await sql.end()
    }
  }, 120_000)
})
