/** Prints rows as an aligned plain-text table. */
export function printTable(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))]
  const width = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)))
  const line = (r: string[]) => r.map((v, c) => v.padStart(width[c]!)).join('  ')
  console.log(`\n${title}`)
  console.log(line(header))
  console.log(width.map((w) => '-'.repeat(w)).join('  '))
  for (const r of cells.slice(1)) console.log(line(r))
}

export const pct = (x: number, digits = 3) => `${(100 * x).toFixed(digits)}%`

export interface Timing {
  wallMs: number
  cpuMs: number
}

export async function timed<T>(f: () => Promise<T>): Promise<{ value: T } & Timing> {
  const cpu = process.cpuUsage()
  const t = performance.now()
  const value = await f()
  const u = process.cpuUsage(cpu)
  return { value, wallMs: performance.now() - t, cpuMs: (u.user + u.system) / 1000 }
}

export function stats(xs: number[]) {
  const n = xs.length
  return {
    mean: n ? xs.reduce((a, b) => a + b, 0) / n : 0,
    max: n ? Math.max(...xs) : 0,
  }
}

export const TIME_HEADERS = ['mean ms', 'max ms', 'cpu mean', 'cpu max']

/** Wall and CPU milliseconds per instance, mean and max: the last four columns of every table. */
export function timeCells(rows: Timing[]): number[] {
  const wall = stats(rows.map((r) => r.wallMs))
  const cpu = stats(rows.map((r) => r.cpuMs))
  return [wall.mean, wall.max, cpu.mean, cpu.max].map(Math.round)
}
