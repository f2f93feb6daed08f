import { describe, expect, it } from 'vitest'
import { checkNats, checkPostgres } from './dependencies.js'

describe('dependency checks', () => {
  it('pass against the running Postgres and NATS', async () => {
    expect(
      await checkPostgres(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/psa'),
    ).toBeUndefined()
    expect(await checkNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222')).toBeUndefined()
  })

  it('name what is missing and how to start it', async () => {
    const pg = await checkPostgres('postgres://postgres@127.0.0.1:1/psa')
    expect(pg).toMatchObject({ name: 'PostgreSQL', problem: expect.stringContaining('127.0.0.1:1') })
    expect(pg?.fix).toContain('pg_ctlcluster')
    const nats = await checkNats('nats://127.0.0.1:1')
    expect(nats).toMatchObject({ name: 'NATS', problem: expect.stringContaining('nats://127.0.0.1:1') })
    expect(nats?.fix).toContain('nats-server')
  })
})
