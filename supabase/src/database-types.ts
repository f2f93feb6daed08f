import { readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { AppError } from '@psa/errors'
import type { DatabaseLocation } from './database-url.js'
import { paths } from './paths.js'
import { withFreshSchema } from './scratch-database.js'
import { outputTail, runNode } from './supabase-cli.js'

const require = createRequire(import.meta.url)

function codegenBin(): string {
  const manifest = require.resolve('kysely-codegen/package.json')
  const { bin } = require(manifest) as { bin: Record<string, string> }
  return join(dirname(manifest), bin['kysely-codegen'] ?? 'dist/cli/bin.js')
}

/**
 * Generates the Kysely `DB` interface for the public schema from a freshly migrated database. Column names
 * stay as in SQL (no camel-casing); calendar dates are strings, matching @psa/db's postgres.js parsers.
 */
export async function generateDatabaseTypes(server: DatabaseLocation): Promise<string> {
  return withFreshSchema(server, 'types', async (location) => {
    const outFile = join(tmpdir(), `psa-database-types-${process.pid}.ts`)
    try {
      const result = await runNode(codegenBin(), [
        '--dialect',
        'postgres',
        '--url',
        location.url,
        '--include-pattern',
        'public.*',
        '--date-parser',
        'string',
        '--log-level',
        'error',
        '--out-file',
        outFile,
      ])
      if (result.code !== 0) {
        throw new AppError('INTERNAL', `kysely-codegen failed:\n${outputTail(result)}`)
      }
      return await readFile(outFile, 'utf8')
    } finally {
      await rm(outFile, { force: true })
    }
  })
}

/** Compares the committed file with freshly generated types. */
export async function committedTypesAreCurrent(generated: string): Promise<boolean> {
  const committed = await readFile(paths.generatedTypesFile, 'utf8').catch(() => null)
  return committed === generated
}
