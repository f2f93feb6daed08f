import { describe, expect, it } from 'vitest'
import { Supervisor, type SupervisorEvent } from './supervisor.js'

const node = process.execPath
const script = (code: string) => ['-e', code]

function supervised(options: ConstructorParameters<typeof Supervisor>[0] = {}) {
  const lines: string[] = []
  const events: SupervisorEvent[] = []
  const supervisor = new Supervisor({
    initialBackoffMs: 20,
    maxBackoffMs: 80,
    stableAfterMs: 10_000,
    stopTimeoutMs: 2_000,
    write: (line) => lines.push(line),
    onEvent: (e) => events.push(e),
    ...options,
  })
  return { supervisor, lines, events }
}

const until = async (check: () => boolean, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('Supervisor', () => {
  it('prefixes output lines with the service name', async () => {
    const { supervisor, lines } = supervised()
    supervisor.start({
      name: 'echo',
      command: node,
      args: script('console.log("hello"); setInterval(() => {}, 1000)'),
    })
    await until(() => lines.includes('[echo] hello'))
    await supervisor.stop()
  })

  it('restarts a crashing service with growing, capped delays', async () => {
    const { supervisor, events } = supervised()
    supervisor.start({ name: 'crashy', command: node, args: script('process.exit(3)') })
    await until(() => events.filter((e) => e.type === 'restarting').length >= 4)
    await supervisor.stop()
    const delays = events.flatMap((e) => (e.type === 'restarting' ? [e.inMs] : []))
    expect(delays.slice(0, 4)).toEqual([20, 40, 80, 80])
    expect(supervisor.restarts('crashy')).toBeGreaterThanOrEqual(3)
  })

  it('restarts a service killed with SIGKILL, as Kubernetes would', async () => {
    const { supervisor, events } = supervised()
    supervisor.start({ name: 'victim', command: node, args: script('setInterval(() => {}, 1000)') })
    await until(() => supervisor.pid('victim') !== undefined)
    const first = supervisor.pid('victim') as number
    process.kill(first, 'SIGKILL')
    await until(() => supervisor.pid('victim') !== undefined && supervisor.pid('victim') !== first)
    expect(events.some((e) => e.type === 'exited' && e.signal === 'SIGKILL')).toBe(true)
    await supervisor.stop()
  })

  it('stops with SIGTERM, waits for graceful exits and never restarts during shutdown', async () => {
    const { supervisor, lines, events } = supervised()
    // Exits non-zero on SIGTERM after a short cleanup: must not be restarted.
    supervisor.start({
      name: 'graceful',
      command: node,
      args: script(
        'process.on("SIGTERM", () => { console.log("draining"); setTimeout(() => process.exit(1), 50) }); console.log("up"); setInterval(() => {}, 1000)',
      ),
    })
    await until(() => lines.includes('[graceful] up'))
    await supervisor.stop()
    expect(lines).toContain('[graceful] draining')
    await new Promise((r) => setTimeout(r, 100))
    expect(events.filter((e) => e.type === 'started')).toHaveLength(1)
  })

  it('kills a child that ignores SIGTERM after the grace period', async () => {
    const { supervisor, lines, events } = supervised({ stopTimeoutMs: 100 })
    supervisor.start({
      name: 'stubborn',
      command: node,
      args: script('process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)'),
    })
    await until(() => lines.includes('[stubborn] up'))
    await supervisor.stop()
    expect(events.some((e) => e.type === 'exited' && e.signal === 'SIGKILL')).toBe(true)
  })
})
