/**
 * How much wall-clock time a millisecond of this thread's CPU work costs right now. On a loaded machine the
 * process gets only part of a core, so every step that cannot be interrupted (building the MIP, the final
 * explanations) takes that many times longer than it would alone; the time limit is a wall-clock bound, so
 * such steps are planned with this factor. Without `process.threadCpuUsage` or `process.cpuUsage` (not Node)
 * it assumes a whole core.
 */
export class Pace {
  private readonly wall0: number
  private readonly cpu0: number

  constructor() {
    this.wall0 = performance.now()
    this.cpu0 = cpuMs()
  }

  /** Wall time per CPU time since construction, at least 1; 1 until enough has run to tell. */
  factor(): number {
    const wall = performance.now() - this.wall0
    const cpu = cpuMs() - this.cpu0
    if (wall < 20 || cpu <= 0) return 1
    return Math.max(1, wall / cpu)
  }
}

function cpuMs(): number {
  if (typeof process === 'undefined') return 0
  // This thread's CPU: the process's would count HiGHS on its worker (highs-worker.ts) too, still busy after
  // a solve that ran late, and make a starved search look as if it had the whole core.
  const u =
    typeof process.threadCpuUsage === 'function'
      ? process.threadCpuUsage()
      : typeof process.cpuUsage === 'function'
        ? process.cpuUsage()
        : null
  return u ? (u.user + u.system) / 1000 : 0
}
