import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseUrl } from './database.js'
import { FaultProxy } from './fault-proxy.js'

let proxy: FaultProxy
let sql: postgres.Sql

beforeAll(async () => {
  const target = new URL(testDatabaseUrl())
  proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port || 5432) })
  sql = postgres(proxy.url(testDatabaseUrl()), { max: 1, connect_timeout: 2, onnotice: () => {} })
})
afterAll(async () => {
  await sql?.end({ timeout: 1 })
  await proxy?.close()
})

const answer = async () => (await sql<{ n: number }[]>`select 1 as n`)[0]?.n

describe('FaultProxy in front of Postgres', () => {
  it('forwards, resets while stopped, and recovers', async () => {
    expect(await answer()).toBe(1)
    proxy.stop()
    const started = performance.now()
    await expect(answer()).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|CONNECTION/) })
    expect(performance.now() - started).toBeLessThan(1_000)
    // An outage lasts a while; a query sent in the very tick the reset lands can hang in postgres.js 3.4.
    await new Promise((r) => setTimeout(r, 200))
    proxy.resume()
    expect(await answer()).toBe(1)
    expect(proxy.counts.reset).toBeGreaterThanOrEqual(1)
  })

  it('holds every byte while paused and delivers them on resume', async () => {
    expect(await answer()).toBe(1)
    proxy.pause()
    const held = answer()
    const outcome = await Promise.race([held, new Promise((r) => setTimeout(() => r('held'), 500))])
    expect(outcome).toBe('held')
    proxy.resume()
    expect(await held).toBe(1)
  })
})
