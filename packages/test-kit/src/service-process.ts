import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { testDatabaseUrl } from './database.js'
import { TEST_NATS_URL } from './nats.js'

const require = createRequire(import.meta.url)

/** A built service running as its own process (what `npm start` runs), with its JSON log lines. */
export interface ServiceProcess {
  child: ChildProcess
  /** Every line it logged so far, parsed (a line that is not JSON as `{ msg: line }`). */
  readonly lines: Record<string, unknown>[]
  /** Everything it wrote, as text. */
  output(): string
  /** The first line whose `msg` is `msg`; rejects after `timeoutMs` or when the process exits first. */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>
}

const started = new Set<ChildProcess>()

/** Builds the service (and what it references) with `tsc -b`; a no-op when its dist/ is up to date. */
export function buildService(serviceDir: string): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', serviceDir], {
    stdio: 'inherit',
  })
}

/**
 * Starts `node dist/main.js` in `serviceDir` with the test run's database and NATS, info-level JSON logs,
 * NODE_ENV=test, and `env` on top (its ports, namespace, settings). Nothing else of this process's
 * environment leaks in but PATH.
 */
export function startServiceProcess(serviceDir: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: serviceDir,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: testDatabaseUrl(),
      NATS_URL: TEST_NATS_URL,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  started.add(child)
  child.once('exit', () => started.delete(child))
  let output = ''
  const lines: Record<string, unknown>[] = []
  const listeners = new Set<() => void>()
  const pending = { stdout: '', stderr: '' }
  const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    const text = chunk.toString()
    output += text
    const parts = (pending[stream] + text).split('\n')
    pending[stream] = parts.pop() ?? ''
    for (const line of parts) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>)
      } catch {
        lines.push({ msg: line })
      }
    }
    for (const listener of listeners) listener()
  }
  child.stdout?.on('data', collect('stdout'))
  child.stderr?.on('data', collect('stderr'))
  child.once('exit', () => {
    for (const listener of listeners) listener()
  })
  return {
    child,
    lines,
    output: () => output,
    waitForLog: (msg, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer)
          listeners.delete(look)
        }
        const look = () => {
          const line = lines.find((l) => l.msg === msg)
          if (line) {
            done()
            resolve(line)
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done()
            reject(new Error(`the service exited before logging "${msg}"; output:\n${output}`))
          }
        }
        const timer = setTimeout(() => {
          done()
          reject(new Error(`no "${msg}" log line within ${timeoutMs} ms; output:\n${output}`))
        }, timeoutMs)
        listeners.add(look)
        look()
      }),
  }
}

/** Kills (SIGKILL) every service process a test started that is still running; for afterEach/afterAll. */
export function killServiceProcesses(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}
