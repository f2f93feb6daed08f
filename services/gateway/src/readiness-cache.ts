import type { Logger } from '@psa/config'
import type { Health, ReadinessReport } from '@psa/lifecycle'

export interface PublicReadiness {
  ready: boolean
  /** Per dependency: up or not, and how long the check took. Never the error text (it may name hosts). */
  checks: Record<string, { ok: boolean; latency_ms: number }>
}

/**
 * /readyz is public and unauthenticated: running a database ping and a gRPC health check per call would let
 * anyone turn it into load on both. One check runs at a time, and its report is reused for `ttlMs`; the
 * reasons a check failed go to the logs (once per change), not to the caller.
 */
export class CachedReadiness {
  readonly #health: Health
  readonly #ttlMs: number
  readonly #logger: Pick<Logger, 'warn' | 'info'>
  #cached: { at: number; report: PublicReadiness } | undefined
  #running: Promise<PublicReadiness> | undefined
  #lastFailing = ''
  /** Checks actually run (tests and metrics). */
  runs = 0

  constructor(options: { health: Health; ttlMs: number; logger: Pick<Logger, 'warn' | 'info'> }) {
    this.#health = options.health
    this.#ttlMs = options.ttlMs
    this.#logger = options.logger
  }

  async get(): Promise<PublicReadiness> {
    // Draining is known at once and costs nothing: never serve "ready" from the cache after it starts.
    if (this.#health.draining) return { ready: false, checks: { shutdown: { ok: false, latency_ms: 0 } } }
    const cached = this.#cached
    if (cached && performance.now() - cached.at < this.#ttlMs) return cached.report
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined
    })
    return this.#running
  }

  async #run(): Promise<PublicReadiness> {
    this.runs++
    const report = await this.#health.readiness()
    this.#logChange(report)
    const checks = Object.fromEntries(
      Object.entries(report.checks).map(([name, c]) => [name, { ok: c.ok, latency_ms: c.latency_ms }]),
    )
    const result = { ready: report.ready, checks }
    this.#cached = { at: performance.now(), report: result }
    return result
  }

  #logChange(report: ReadinessReport): void {
    const failing = Object.entries(report.checks).filter(([, c]) => !c.ok)
    const key = failing.map(([name, c]) => `${name}:${c.error ?? ''}`).join('|')
    if (key === this.#lastFailing) return
    this.#lastFailing = key
    if (failing.length === 0) this.#logger.info('ready: every dependency answers')
    else this.#logger.warn({ checks: Object.fromEntries(failing) }, 'not ready')
  }
}
