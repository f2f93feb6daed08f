import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

export interface ServiceSpec {
  name: string
  command: string
  args: string[]
  env?: Record<string, string>
  cwd?: string
}

export interface SupervisorOptions {
  /** First restart delay; doubles per consecutive crash up to `maxBackoffMs`. */
  initialBackoffMs?: number
  maxBackoffMs?: number
  /** A process that stayed up this long is healthy again: its next crash restarts after the initial delay. */
  stableAfterMs?: number
  /** How long `stop()` waits after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number
  /** Where prefixed output lines go (stdout by default). */
  write?: (line: string) => void
  onEvent?: (event: SupervisorEvent) => void
}

export type SupervisorEvent =
  | { type: 'started'; service: string; pid: number; restarts: number }
  | { type: 'exited'; service: string; code: number | null; signal: NodeJS.Signals | null; uptimeMs: number }
  | { type: 'restarting'; service: string; inMs: number }

interface Running {
  spec: ServiceSpec
  child?: ChildProcess
  startedAt: number
  restarts: number
  consecutiveCrashes: number
  timer?: NodeJS.Timeout
  exited?: Promise<void>
}

/**
 * Runs services as child processes and keeps them running the way a Kubernetes Deployment would: a process
 * that exits for any reason while the stack is up is restarted with exponential back-off (capped, reset
 * after a stable run, like CrashLoopBackOff); once stopping, nothing is restarted and every child gets
 * SIGTERM, then SIGKILL after a grace period. (`concurrently` was tried first; its restart back-off is
 * uncapped and it can restart a child that exits non-zero during shutdown.)
 */
export class Supervisor {
  readonly #options: Required<Omit<SupervisorOptions, 'onEvent'>> & Pick<SupervisorOptions, 'onEvent'>
  readonly #services = new Map<string, Running>()
  #stopping = false

  constructor(options: SupervisorOptions = {}) {
    this.#options = {
      initialBackoffMs: 1_000,
      maxBackoffMs: 30_000,
      stableAfterMs: 30_000,
      stopTimeoutMs: 30_000,
      write: (line) => process.stdout.write(`${line}\n`),
      ...options,
    }
  }

  /** Starts and supervises a service; ignored once stopping (a delayed start that lost the race). */
  start(spec: ServiceSpec): void {
    if (this.#stopping) return
    if (this.#services.has(spec.name)) throw new Error(`service ${spec.name} already supervised`)
    const running: Running = { spec, startedAt: 0, restarts: 0, consecutiveCrashes: 0 }
    this.#services.set(spec.name, running)
    this.#spawn(running)
  }

  pid(name: string): number | undefined {
    return this.#services.get(name)?.child?.pid
  }

  restarts(name: string): number {
    return this.#services.get(name)?.restarts ?? 0
  }

  #spawn(running: Running): void {
    const { spec } = running
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    running.child = child
    running.startedAt = Date.now()
    const prefix = `[${spec.name}]`
    for (const stream of [child.stdout, child.stderr]) {
      if (stream)
        createInterface({ input: stream }).on('line', (line) => this.#options.write(`${prefix} ${line}`))
    }
    running.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const uptimeMs = Date.now() - running.startedAt
        this.#options.onEvent?.({ type: 'exited', service: spec.name, code, signal, uptimeMs })
        running.child = undefined
        resolve()
        if (!this.#stopping) this.#scheduleRestart(running, uptimeMs, code, signal)
      })
    })
    child.once('error', (err) => this.#options.write(`${prefix} failed to start: ${err.message}`))
    if (child.pid !== undefined) {
      this.#options.onEvent?.({
        type: 'started',
        service: spec.name,
        pid: child.pid,
        restarts: running.restarts,
      })
    }
  }

  #scheduleRestart(
    running: Running,
    uptimeMs: number,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    running.consecutiveCrashes = uptimeMs >= this.#options.stableAfterMs ? 1 : running.consecutiveCrashes + 1
    const delay = Math.min(
      this.#options.initialBackoffMs * 2 ** (running.consecutiveCrashes - 1),
      this.#options.maxBackoffMs,
    )
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`
    this.#options.write(
      `[supervisor] ${running.spec.name} ${how}; restarting in ${Math.round(delay / 100) / 10}s`,
    )
    this.#options.onEvent?.({ type: 'restarting', service: running.spec.name, inMs: delay })
    running.timer = setTimeout(() => {
      running.timer = undefined
      if (this.#stopping) return
      running.restarts += 1
      this.#spawn(running)
    }, delay)
  }

  /** Stops restarting, sends SIGTERM to every child, SIGKILL to those still alive after the grace period. */
  async stop(): Promise<void> {
    this.#stopping = true
    const all = [...this.#services.values()]
    for (const running of all) clearTimeout(running.timer)
    await Promise.all(
      all.map(async (running) => {
        const child = running.child
        if (!child) return
        child.kill('SIGTERM')
        const killer = setTimeout(() => child.kill('SIGKILL'), this.#options.stopTimeoutMs)
        await running.exited
        clearTimeout(killer)
      }),
    )
  }
}
