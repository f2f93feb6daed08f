import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { createLogger } from '@psa/config'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { databaseEnvSchema } from './env.js'
import { compiledStatement, Database, sql } from './index.js'
import { FaultProxy } from './testing/fault-proxy.js'

// Database.pipeline and asPipelined against the real server, through a proxy that can drop the connection
// in the middle of a pipeline: every statement must settle then (a pipeline awaits them all), or the
// caller (a worker's event flush, its outcome write) hangs for ever with its session left processing.
const serverUrl = new URL(
  process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
)
const logger = createLogger({
  service: 'test',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, d) => d() }),
})
const claims = { sub: '00000000-0000-4000-8000-000000000002', role: 'authenticated' }

/** Settles within `ms` or fails the test (instead of hanging it). */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

describe('Database.pipeline', () => {
  let proxy: FaultProxy
  let db: Database

  beforeAll(async () => {
    proxy = await FaultProxy.start({ host: serverUrl.hostname, port: Number(serverUrl.port || 5432) })
    db = new Database({
      env: databaseEnvSchema.parse({ DATABASE_URL: proxy.url(serverUrl.toString()), DATABASE_POOL_MAX: '1' }),
      applicationName: 'psa-db-pipeline',
      logger,
    })
  })
  afterAll(async () => {
    await db?.close()
    await proxy?.close()
  })

  it('runs the statements in one transaction as the user or the service, answering each in order', async () => {
    const [who, claimed, same] = await db.pipeline(claims, (tx) => [
      tx`select current_user as who, current_setting('jit') as jit`,
      tx<
        { auth_sub: string }[]
      >`select auth_sub from (select current_setting('request.jwt.claims')::jsonb ->> 'sub' as auth_sub) c`,
      tx<{ same: boolean }[]>`select txid_current() = txid_current_if_assigned() as same`,
    ])
    expect(who[0]).toEqual({ who: 'authenticated', jit: 'off' })
    expect(claimed[0]?.auth_sub).toBe(claims.sub)
    expect(same[0]?.same).toBe(true)
    const [service] = await db.pipeline(null, (tx) => [
      compiledStatement(tx, sql<{ who: string }>`select current_user as who`.compile(db.kysely)),
    ])
    expect(service[0]?.who).toBe('service_role')
  })

  it('fails as a whole with the first failed statement’s error, and the connection goes on', async () => {
    await expect(
      db.pipeline(null, (tx) => [tx`select 1`, tx`select 'x'::int`, tx`select 1 / 0`]),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    expect((await db.pipeline(null, (tx) => [tx<{ two: number }[]>`select 2 as two`]))[0][0]?.two).toBe(2)
  })

  it('settles every statement with UNAVAILABLE when the connection drops mid-pipeline, and the pool goes on', async () => {
    for (const drop of ['reset', 'close', 'reset'] as const) {
      // A statement text new to the connection is described first, so postgres.js holds the ones after it
      // in the reservation's own queue: those are what a close never failed.
      const fresh = `select $1::int + 1 as n -- ${randomUUID()}`
      await db.pipeline(null, (tx) => [tx`select 1`])
      proxy.dropNextWrite(drop)
      const dropped = db.pipeline(null, (tx) => [tx.unsafe(fresh, [1]), tx`select 2`, tx`select 3`])
      const err = await within(5_000, dropped).catch((e: unknown) => e)
      expect(err, drop).toMatchObject({ code: 'UNAVAILABLE' })
      expect((err as { cause?: { code?: string } }).cause?.code, drop).toMatch(
        /^(ECONNRESET|CONNECTION_CLOSED)$/,
      )
      const [after] = await within(
        5_000,
        db.pipeline(null, (tx) => [tx.unsafe(fresh, [41])]),
      )
      expect(after[0]?.n).toBe(42)
    }
  })

  it('settles a pipelined Kysely transaction the same way when its connection drops', async () => {
    await db.asPipelined(null, (tx) => sql`select 1`.execute(tx))
    proxy.dropNextWrite('reset')
    const dropped = db.asPipelined(claims, (tx) =>
      Promise.all([sql`select ${randomUUID()}::text as a`.execute(tx), sql`select 2`.execute(tx)]),
    )
    await expect(within(5_000, dropped)).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    const rows = await within(
      5_000,
      db.asPipelined(claims, (tx) => sql<{ who: string }>`select current_user as who`.execute(tx)),
    )
    expect(rows.rows[0]?.who).toBe('authenticated')
  })
})
