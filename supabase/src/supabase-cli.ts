import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { AppError } from '@psa/errors'
import { paths } from './paths.js'

const require = createRequire(import.meta.url)

/** The npm package's launcher; it starts the platform binary from the matching optional dependency. */
function supabaseLauncher(): string {
  return join(dirname(require.resolve('supabase/package.json')), 'dist', 'supabase.js')
}

export interface CommandResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs a Node program (a package's CLI) with this Node, capturing its output. */
export function runNode(
  script: string,
  args: readonly string[],
  cwd = paths.repoRoot,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      // The CLI reports usage to a telemetry service by default; tooling runs offline and should not try.
      env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }))
  })
}

/** Runs `supabase <args>` against this repository's supabase/ folder. */
export function runSupabase(args: readonly string[]): Promise<CommandResult> {
  return runNode(supabaseLauncher(), [...args, '--workdir', paths.repoRoot])
}

/** The last lines of a command's output, for error messages. */
export function outputTail(result: CommandResult, lines = 30): string {
  return `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-lines).join('\n')
}

/** Applies pending migrations with `supabase db push`, exactly as against hosted Supabase. */
export async function pushMigrations(cliUrl: string): Promise<{ applied: string[] }> {
  const result = await runSupabase(['db', 'push', '--db-url', cliUrl, '--yes'])
  if (result.code !== 0) {
    throw new AppError('INTERNAL', `supabase db push failed:\n${outputTail(result)}`, {
      details: { step: 'migrations', exitCode: result.code },
    })
  }
  const applied = [...`${result.stdout}\n${result.stderr}`.matchAll(/Applying migration (\S+?)\.\.\./g)].map(
    (m) => m[1] ?? '',
  )
  return { applied }
}
