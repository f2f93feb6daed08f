// Database tooling for developers and CI: `npm run db:setup | db:reset | db:advisors | db:types`. The
// entry point that runs it (packages/demo-data/src/cli.ts) passes in the demo data as the seed, so this
// package never depends on the data it is loaded with.
import { writeFile } from 'node:fs/promises'
import { relative } from 'node:path'
import { parseArgs } from 'node:util'
import { ConfigError, parseEnv } from '@psa/config'
import { AppError } from '@psa/errors'
import { z } from 'zod'
import { advisorProblems, runAdvisors, summariseFindings } from './advisors.js'
import { committedTypesAreCurrent, generateDatabaseTypes } from './database-types.js'
import { DEFAULT_DATABASE_URL, parseDatabaseUrl, redactDatabaseUrl } from './database-url.js'
import { paths } from './paths.js'
import { withFreshSchema } from './scratch-database.js'
import type { DatabaseSeed } from './seed.js'
import { resetDatabase, type SetupResult, setupDatabase } from './setup.js'

const USAGE = `Usage: db <command> [options]

Commands:
  setup [--no-demo]     Create the database named by DATABASE_URL if missing, apply the Supabase compatibility
                        bootstrap and pending migrations, load the demo data (unless --no-demo). Idempotent.
  reset [--no-demo]     Drop the database and run setup.
  advisors [--url URL]  Run Supabase's advisors on a freshly migrated scratch database (or on URL) and fail
                        on any warning or error.
  types [--check]       Regenerate packages/db/src/gen/database.ts from a freshly migrated database; with
                        --check, fail if the committed file differs instead of writing it.

Environment:
  DATABASE_URL          default ${DEFAULT_DATABASE_URL}`

const envSchema = z.object({ DATABASE_URL: z.string().default(DEFAULT_DATABASE_URL) })

class UsageError extends Error {}

function say(line: string): void {
  process.stdout.write(`${line}\n`)
}

function reportSetup(result: SetupResult): void {
  say(`database ${result.database} is ready (${result.timingsMs.total} ms)`)
}

export interface DbCliOptions {
  /** Loaded by setup and reset unless --no-demo: the demo data. */
  seed?: DatabaseSeed
}

async function run(argv: string[], cli: DbCliOptions): Promise<number> {
  const [command, ...rest] = argv
  const env = parseEnv('db', envSchema)
  const server = parseDatabaseUrl(env.DATABASE_URL)

  switch (command) {
    case 'setup':
    case 'reset': {
      const { values } = parseArgs({
        args: rest,
        options: { 'no-demo': { type: 'boolean', default: false } },
      })
      const options = { databaseUrl: server.url, seed: values['no-demo'] ? undefined : cli.seed, log: say }
      say(`${command === 'reset' ? 'resetting' : 'setting up'} ${redactDatabaseUrl(server.url)}`)
      reportSetup(command === 'reset' ? await resetDatabase(options) : await setupDatabase(options))
      return 0
    }
    case 'advisors': {
      const { values } = parseArgs({ args: rest, options: { url: { type: 'string' } } })
      const findings = values.url
        ? await runAdvisors(parseDatabaseUrl(values.url, '--url'))
        : await withFreshSchema(server, 'advisors', runAdvisors)
      say(summariseFindings(findings))
      const problems = advisorProblems(findings)
      if (problems.length > 0) {
        say(
          `Advisors: ${problems.length} warning(s) or error(s); fix them (see the remediation links above).`,
        )
        return 1
      }
      say('Advisors: nothing at warning level or above.')
      return 0
    }
    case 'types': {
      const { values } = parseArgs({ args: rest, options: { check: { type: 'boolean', default: false } } })
      const generated = await generateDatabaseTypes(server)
      const file = relative(process.cwd(), paths.generatedTypesFile)
      const current = await committedTypesAreCurrent(generated)
      if (values.check) {
        if (!current) {
          say(`${file} is out of date with the migrations; run \`npm run db:types\` and commit the result.`)
          return 1
        }
        say(`${file} matches the migrations.`)
        return 0
      }
      if (current) {
        say(`${file} is already up to date.`)
      } else {
        await writeFile(paths.generatedTypesFile, generated)
        say(`wrote ${file}`)
      }
      return 0
    }
    case undefined:
    case 'help':
    case '--help':
      say(USAGE)
      return command === undefined ? 2 : 0
    default:
      throw new UsageError(`unknown command "${command}"`)
  }
}

/** Runs one `db` command and returns the process exit code, having printed what went wrong. */
export function runDbCli(argv: string[], options: DbCliOptions = {}): Promise<number> {
  return run(argv, options).catch((err: unknown) => {
    if (
      err instanceof UsageError ||
      (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      process.stderr.write(`db: ${err.message}\n\n${USAGE}\n`)
      return 2
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      return 78
    }
    if (err instanceof AppError) {
      process.stderr.write(`db: ${err.code}: ${err.message}\n`)
      // Failures inside code we call (the seed) need their stack to be fixed.
      if (err.cause instanceof Error && !(err.cause instanceof AppError) && err.code === 'INTERNAL') {
        process.stderr.write(`caused by: ${err.cause.stack ?? err.cause.message}\n`)
      }
      return 1
    }
    process.stderr.write(`db: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    return 1
  })
}
