/**
 * How much wall-clock time a millisecond of this process's CPU work costs right now. On a loaded machine the
 * process gets only part of a core, so every step that cannot be interrupted (building and loading the MIP,
 * HiGHS unwinding after an interrupt, the final explanations) takes that many times longer than it would
 * alone; the time limit is a wall-clock bound, so such steps are planned with this factor. Without
 * `process.cpuUsage` (not Node) it assumes a whole core.
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
  if (typeof process === 'undefined' || typeof process.cpuUsage !== 'function') return 0
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}
