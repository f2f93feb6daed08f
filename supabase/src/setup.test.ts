import { AppError } from '@psa/errors'
import { describe, expect, it } from 'vitest'
import { setupDatabase } from './setup.js'

// Setting a database up end to end, with the demo data, is tested where the demo data lives
// (packages/demo-data/src/setup.test.ts).
describe('setupDatabase', () => {
  it('says how to start Postgres when it is not running', async () => {
    const error = await setupDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/psa' }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(AppError)
    expect(error).toMatchObject({ code: 'UNAVAILABLE' })
    expect((error as Error).message).toContain('pg_ctlcluster --skip-systemctl-redirect 15 main start')
  })
})
