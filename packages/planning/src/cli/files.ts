import { readFile } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { FormatError } from '../formats/format-error.js'

/** npm runs scripts from the repository root; paths on the command line are the caller's. */
export function callerPath(file: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), file)
}

/**
 * Runs `each` on every file in turn and prints its JSON line; a file that cannot be read or parsed gets one
 * line on stderr naming it (and the line, for format errors) and the rest still run. Exit code 1 if any failed.
 */
export async function forEachFile(
  files: string[],
  each: (text: string, file: string) => Promise<Record<string, unknown>>,
): Promise<number> {
  let failed = 0
  for (const file of files) {
    try {
      const text = await readFile(callerPath(file), 'utf8')
      process.stdout.write(`${JSON.stringify(await each(text, file))}\n`)
    } catch (err) {
      failed++
      const where = err instanceof FormatError && err.line > 0 ? `${file}:${err.line}` : file
      const message =
        err instanceof FormatError
          ? err.message.replace(/^line \d+: /, '')
          : err instanceof Error
            ? err.message
            : String(err)
      process.stderr.write(`${where}: ${message}\n`)
    }
  }
  return failed > 0 ? 1 : 0
}

export function instanceName(file: string, dropExtension: boolean): string {
  const base = basename(file)
  return dropExtension ? base.replace(/\.[^.]*$/, '') : base
}

export function fail(message: string): never {
  process.stderr.write(`${message}\n`)
  process.exit(2)
}
