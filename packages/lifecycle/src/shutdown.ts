import type { Logger } from '@psa/config'

export type ShutdownHook = () => Promise<void> | void

/**
 * Shutdown phases run in this order; hooks within one phase run concurrently. The order is what makes a
 * shutdown graceful: first stop being routed new work, then let in-flight work finish or hand it back,
 * then close the connections that work needed.
 */
export const ShutdownPhase = {
  /** Mark not-ready and stop accepting (HTTP/gRPC servers stop listening, consumers stop pulling). */
  STOP_ACCEPTING: 0,
  /** Finish or hand back in-flight work. */
  DRAIN_WORK: 10,
  /** Close pools and brokers (Postgres, NATS drain). */
  CLOSE_CONNECTIONS: 20,
  /** Flush logs, telemetry. */
  FINAL: 30,
} as const

interface RegisteredHook {
  name: string
  phase: number
  fn: ShutdownHook
}

export interface ShutdownManagerOptions {
  logger: Logger
  /** Hard deadline for the whole shutdown; past it the process exits with status 1. */
  timeoutMs: number
  /** Injected for tests; defaults to process.exit. */
  exit?: (code: number) => void
}

/** The single owner of process shutdown: signals, fatal errors and explicit calls all end up here once. */
export class ShutdownManager {
  readonly #hooks: RegisteredHook[] = []
  readonly #logger: Logger
  readonly #timeoutMs: number
  readonly #exit: (code: number) => void
  readonly #abort = new AbortController()
  #running: Promise<void> | undefined
  #listening = false

  constructor(options: ShutdownManagerOptions) {
    this.#logger = options.logger
    this.#timeoutMs = options.timeoutMs
    this.#exit = options.exit ?? ((code) => process.exit(code))
  }

  /** Aborted as soon as shutdown begins: long-running loops watch it to stop taking work. */
  get signal(): AbortSignal {
    return this.#abort.signal
  }

  get isShuttingDown(): boolean {
    return this.#running !== undefined
  }

  register(name: string, fn: ShutdownHook, phase: number = ShutdownPhase.CLOSE_CONNECTIONS): void {
    this.#hooks.push({ name, phase, fn })
  }

  /** Installs SIGTERM/SIGINT handlers and fatal-error handlers. A second signal forces an immediate exit. */
  listen(): this {
    if (this.#listening) return this
    this.#listening = true
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        if (this.isShuttingDown) {
          this.#logger.warn({ signal }, 'second signal during shutdown: exiting now')
          this.#exit(130)
          return
        }
        void this.shutdown(signal)
      })
    }
    process.on('uncaughtException', (err) => {
      this.#logger.fatal({ err }, 'uncaught exception')
      void this.shutdown('uncaughtException', 1)
    })
    process.on('unhandledRejection', (err) => {
      this.#logger.fatal({ err }, 'unhandled promise rejection')
      void this.shutdown('unhandledRejection', 1)
    })
    return this
  }

  /** Runs every hook once, phase by phase, then exits. Later calls return the same promise. */
  shutdown(reason: string, exitCode = 0): Promise<void> {
    this.#running ??= this.#run(reason, exitCode)
    return this.#running
  }

  async #run(reason: string, exitCode: number): Promise<void> {
    const started = performance.now()
    this.#logger.info({ reason }, 'shutting down')
    this.#abort.abort(new Error(`shutting down: ${reason}`))
    const timer = setTimeout(() => {
      this.#logger.error({ timeout_ms: this.#timeoutMs }, 'shutdown timed out: exiting')
      this.#exit(1)
    }, this.#timeoutMs)
    timer.unref()

    let failed = false
    const phases = [...new Set(this.#hooks.map((h) => h.phase))].sort((a, b) => a - b)
    for (const phase of phases) {
      const hooks = this.#hooks.filter((h) => h.phase === phase)
      const results = await Promise.allSettled(hooks.map(async (h) => h.fn()))
      results.forEach((result, i) => {
        if (result.status === 'rejected') {
          failed = true
          this.#logger.error({ err: result.reason, hook: hooks[i]?.name }, 'shutdown hook failed')
        }
      })
    }
    clearTimeout(timer)
    const code = exitCode || (failed ? 1 : 0)
    this.#logger.info(
      { duration_ms: Math.round(performance.now() - started), exit_code: code },
      'shutdown complete',
    )
    this.#exit(code)
  }
}
