/** Exact percentiles of recorded samples (benchmarks keep every sample; they are small). */
export class Samples {
  readonly #values: number[] = []

  add(value: number): void {
    this.#values.push(value)
  }

  get count(): number {
    return this.#values.length
  }

  percentile(p: number): number {
    if (this.#values.length === 0) return Number.NaN
    const sorted = [...this.#values].sort((a, b) => a - b)
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
    return sorted[rank] as number
  }

  summary(): { count: number; p50: number; p95: number; p99: number; max: number } {
    return {
      count: this.count,
      p50: this.percentile(50),
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: this.percentile(100),
    }
  }
}

/** Runs `op` with `concurrency` callers for `durationMs`; returns operations per second and latencies. */
export async function closedLoop(
  concurrency: number,
  durationMs: number,
  op: () => Promise<unknown>,
): Promise<{ perSecond: number; latencyMs: Samples; errors: number }> {
  const latencyMs = new Samples()
  let errors = 0
  const end = performance.now() + durationMs
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now()
        try {
          await op()
          latencyMs.add(performance.now() - t0)
        } catch {
          errors++
        }
      }
    }),
  )
  return { perSecond: (latencyMs.count / (performance.now() - started)) * 1000, latencyMs, errors }
}

/**
 * Offers `rate` operations per second for `durationMs` regardless of how fast they complete (open loop),
 * measuring each from its scheduled start, so a slow system shows up as latency instead of hiding behind
 * a lower request rate (coordinated omission).
 */
export async function openLoop(
  rate: number,
  durationMs: number,
  op: () => Promise<unknown>,
): Promise<{ achievedPerSecond: number; latencyMs: Samples; errors: number; offered: number }> {
  const latencyMs = new Samples()
  let errors = 0
  const total = Math.floor((rate * durationMs) / 1000)
  const intervalMs = 1000 / rate
  const started = performance.now()
  const inFlight: Promise<void>[] = []
  for (let i = 0; i < total; i++) {
    const scheduled = started + i * intervalMs
    const wait = scheduled - performance.now()
    if (wait > 1) await new Promise((r) => setTimeout(r, wait))
    inFlight.push(
      op().then(
        () => latencyMs.add(performance.now() - scheduled),
        () => {
          errors++
        },
      ),
    )
  }
  await Promise.all(inFlight)
  const elapsed = performance.now() - started
  return { achievedPerSecond: (latencyMs.count / elapsed) * 1000, latencyMs, errors, offered: total }
}
