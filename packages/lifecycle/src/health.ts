export type HealthCheck = () => Promise<unknown> | unknown

export interface CheckResult {
  ok: boolean
  latency_ms: number
  error?: string
}

export interface ReadinessReport {
  ready: boolean
  checks: Record<string, CheckResult>
}

/**
 * Liveness says "this process is not wedged" and stays true while it runs; readiness says "route work to
 * me": true only while every dependency check passes and the process is not shutting down. Keeping them
 * apart stops Kubernetes from restarting a pod just because its database blipped.
 */
export class Health {
  readonly #checks = new Map<string, HealthCheck>()
  readonly #timeoutMs: number
  #draining = false

  constructor(options: { checkTimeoutMs?: number } = {}) {
    this.#timeoutMs = options.checkTimeoutMs ?? 2_000
  }

  /** A check passes when it resolves to anything but `false`, and fails when it throws or times out. */
  addReadinessCheck(name: string, check: HealthCheck): this {
    this.#checks.set(name, check)
    return this
  }

  /** Called at the start of shutdown so load balancers stop sending work while in-flight work drains. */
  markDraining(): void {
    this.#draining = true
  }

  get draining(): boolean {
    return this.#draining
  }

  async readiness(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.#checks].map(async ([name, check]) => [name, await this.#run(check)] as const),
    )
    const checks = Object.fromEntries(entries)
    if (this.#draining) checks.shutdown = { ok: false, latency_ms: 0, error: 'shutting down' }
    return { ready: Object.values(checks).every((c) => c.ok), checks }
  }

  async #run(check: HealthCheck): Promise<CheckResult> {
    const started = performance.now()
    let timer: NodeJS.Timeout | undefined
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${this.#timeoutMs} ms`)), this.#timeoutMs)
      })
      const result = await Promise.race([Promise.resolve().then(check), timeout])
      const latency_ms = Math.round(performance.now() - started)
      return result === false
        ? { ok: false, latency_ms, error: 'check reported not ready' }
        : { ok: true, latency_ms }
    } catch (err) {
      return {
        ok: false,
        latency_ms: Math.round(performance.now() - started),
        error: err instanceof Error ? err.message : String(err),
      }
    } finally {
      clearTimeout(timer)
    }
  }
}
