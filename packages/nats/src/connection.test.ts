import { Writable } from 'node:stream'
import { createLogger } from '@psa/config'
import { describe, expect, it } from 'vitest'
import { connectNats, natsEnvSchema } from './connection.js'

const logger = createLogger({
  service: 'test',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, d) => d() }),
})
const env = natsEnvSchema.parse({ NATS_URL: process.env.NATS_URL })

describe('connectNats', () => {
  it('connects to the real server with JetStream, answers pings and drains', async () => {
    const nats = await connectNats({ env, name: 'psa-nats-test', logger })
    await nats.ping()
    const info = await nats.jsm.getAccountInfo()
    expect(info.limits).toBeDefined()
    const sub = nats.nc.subscribe('psa.test.nats-helper.echo', { max: 1 })
    nats.nc.publish('psa.test.nats-helper.echo', 'hi')
    for await (const msg of sub) expect(msg.string()).toBe('hi')
    await Promise.all([nats.close(), nats.close()])
    expect(nats.nc.isClosed()).toBe(true)
    await expect(nats.ping()).rejects.toThrow('closed')
  })

  it('explains a refused connection', async () => {
    const bad = natsEnvSchema.parse({ NATS_URL: 'nats://127.0.0.1:1' })
    await expect(connectNats({ env: bad, name: 'x', logger, connectTimeoutMs: 1_000 })).rejects.toThrow(
      /cannot connect to NATS at nats:\/\/127.0.0.1:1/,
    )
  })
})
