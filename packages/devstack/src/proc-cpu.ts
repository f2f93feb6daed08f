import { readdir, readFile } from 'node:fs/promises'

/** CPU seconds (user + system) a process has used so far, from /proc (Linux), or 0 if it is gone. */
export async function cpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime and stime are fields 14 and 15 of the whole line, in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return 0
  }
}

/** A named group of processes whose CPU use is measured together (e.g. Postgres' backends). */
export interface ProcessGroup {
  name: string
  /** The group's pids now; asked at the start and the end of a measurement, the union is counted. */
  pids(): Promise<number[]>
}

/** CPU seconds each group used while `fn` ran. */
export async function measureCpu<T>(
  groups: readonly ProcessGroup[],
  fn: () => Promise<T>,
): Promise<{ result: T; cpu: Map<string, number> }> {
  const before = await Promise.all(groups.map((g) => snapshot(g)))
  const result = await fn()
  const cpu = new Map<string, number>()
  for (const [i, group] of groups.entries()) {
    const start = before[i] as Map<number, number>
    let used = 0
    for (const pid of new Set([...start.keys(), ...(await group.pids())])) {
      used += Math.max(0, (await cpuSeconds(pid)) - (start.get(pid) ?? 0))
    }
    cpu.set(group.name, used)
  }
  return { result, cpu }
}

async function snapshot(group: ProcessGroup): Promise<Map<number, number>> {
  const pids = await group.pids()
  return new Map(await Promise.all(pids.map(async (pid) => [pid, await cpuSeconds(pid)] as const)))
}

/** Pids of the processes whose command name (`/proc/<pid>/comm`) is `name`, e.g. `nats-server`. */
export async function pidsNamed(name: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number)
  const named = await Promise.all(
    pids.map(async (pid) => {
      const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')
      return comm.trim() === name ? pid : undefined
    }),
  )
  return named.filter((pid): pid is number => pid !== undefined)
}
