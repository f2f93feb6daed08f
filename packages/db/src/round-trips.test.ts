import { Writable } from 'node:stream'
import { createLogger } from '@psa/config'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { databaseEnvSchema } from './env.js'
import { Database, sql } from './index.js'
import { FaultProxy } from './testing/fault-proxy.js'

// The admission hot path is budgeted in round trips, so what every transaction sends first (the prelude)
// must travel with BEGIN and the first statements and never cost one of its own. Counted on the wire: a
// proxy between the pool and Postgres counts the client's turns (it sends after the server answered).
const serverUrl = new URL(
  process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
)
const logger = createLogger({
  service: 'test',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, d) => d() }),
})
const claims = { sub: '00000000-0000-4000-8000-000000000001', role: 'authenticated' }

describe('round trips per transaction', () => {
  let counter: FaultProxy
  let db: Database

  beforeAll(async () => {
    counter = await FaultProxy.start({ host: serverUrl.hostname, port: Number(serverUrl.port || 5432) })
    db = new Database({
      env: databaseEnvSchema.parse({
        DATABASE_URL: counter.url(serverUrl.toString()),
        DATABASE_POOL_MAX: '1',
      }),
      applicationName: 'psa-db-round-trips',
      logger,
    })
  })
  afterAll(async () => {
    await db?.close()
    await counter?.close()
  })

  async function turnsOf(run: () => Promise<unknown>): Promise<number> {
    await run() // connects and prepares the statements: not what a warm pool pays
    const before = counter.turns
    await run()
    return counter.turns - before
  }

  it('costs two on the raw path and one per statement on Kysely’s, the prelude included', async () => {
    // BEGIN, the prelude and the statement in one; COMMIT in the other.
    expect(await turnsOf(() => db.asUserSql(claims, (tx) => tx`select 1`))).toBe(2)
    expect(await turnsOf(() => db.asUserSql(claims, (tx) => Promise.all([tx`select 1`, tx`select 2`])))).toBe(
      2,
    )
    // Kysely waits for each: BEGIN, the prelude, the statement, COMMIT.
    expect(await turnsOf(() => db.asUser(claims, (tx) => sql`select 1`.execute(tx)))).toBe(4)
    expect(await turnsOf(() => db.asService((tx) => sql`select 1`.execute(tx)))).toBe(4)
  })

  it('costs one for a whole pipeline and two for a pipelined Kysely transaction', async () => {
    // BEGIN, the prelude, the statements and COMMIT in one write.
    expect(await turnsOf(() => db.pipeline(claims, (tx) => [tx`select 1`, tx`select 2`, tx`select 3`]))).toBe(
      1,
    )
    expect(await turnsOf(() => db.pipeline(null, (tx) => [tx`select 1`]))).toBe(1)
    // BEGIN, the prelude and the statements started together in one; COMMIT in the other.
    expect(await turnsOf(() => db.asPipelined(claims, (tx) => sql`select 1`.execute(tx)))).toBe(2)
    expect(
      await turnsOf(() =>
        db.asPipelined(null, (tx) => Promise.all([sql`select 1`.execute(tx), sql`select 2`.execute(tx)])),
      ),
    ).toBe(2)
  })
})
