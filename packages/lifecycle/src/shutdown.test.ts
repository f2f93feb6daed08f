import { Writable } from 'node:stream'
import { createLogger } from '@psa/config'
import { describe, expect, it } from 'vitest'
import { ShutdownManager, ShutdownPhase } from './shutdown.js'

const silent = createLogger({
  service: 'test',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, d) => d() }),
})

function manager(timeoutMs = 1_000) {
  const exits: number[] = []
  const m = new ShutdownManager({ logger: silent, timeoutMs, exit: (code) => exits.push(code) })
  return { m, exits }
}

describe('ShutdownManager', () => {
  it('runs phases in order, hooks of one phase concurrently, then exits 0', async () => {
    const { m, exits } = manager()
    const order: string[] = []
    const slow = (name: string, ms: number) => () =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          order.push(name)
          resolve()
        }, ms),
      )
    m.register('close-db', slow('close-db', 1), ShutdownPhase.CLOSE_CONNECTIONS)
    m.register('stop-http', slow('stop-http', 20), ShutdownPhase.STOP_ACCEPTING)
    m.register('stop-consumer', slow('stop-consumer', 1), ShutdownPhase.STOP_ACCEPTING)
    m.register('drain', slow('drain', 1), ShutdownPhase.DRAIN_WORK)
    await m.shutdown('test')
    expect(order).toEqual(['stop-consumer', 'stop-http', 'drain', 'close-db'])
    expect(exits).toEqual([0])
  })

  it('aborts its signal when shutdown begins and runs hooks only once', async () => {
    const { m, exits } = manager()
    let calls = 0
    m.register('count', () => {
      calls++
    })
    expect(m.signal.aborted).toBe(false)
    const first = m.shutdown('a')
    expect(m.signal.aborted).toBe(true)
    expect(m.isShuttingDown).toBe(true)
    await Promise.all([first, m.shutdown('b')])
    expect(calls).toBe(1)
    expect(exits).toEqual([0])
  })

  it('still runs later phases when a hook fails, and exits 1', async () => {
    const { m, exits } = manager()
    let closed = false
    m.register('broken', () => Promise.reject(new Error('nope')), ShutdownPhase.STOP_ACCEPTING)
    m.register('close', () => {
      closed = true
    })
    await m.shutdown('test')
    expect(closed).toBe(true)
    expect(exits).toEqual([1])
  })

  it('exits 1 when hooks outlive the timeout', async () => {
    const { m, exits } = manager(30)
    m.register('hang', () => new Promise<void>((resolve) => setTimeout(resolve, 200)))
    void m.shutdown('test')
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(exits).toEqual([1])
  })
})
