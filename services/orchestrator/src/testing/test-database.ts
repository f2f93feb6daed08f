import { randomBytes } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { createLogger } from '@psa/config'
import { Database, databaseEnvSchema } from '@psa/db'

const SUPABASE_DIR = fileURLToPath(new URL('../../../../supabase/', import.meta.url))
const SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

const quiet = createLogger({ service: 'orchestrator-test', level: 'silent' })

function connect(url: string, max = 1): Database {
  return new Database({
    env: databaseEnvSchema.parse({ DATABASE_URL: url, DATABASE_POOL_MAX: String(max) }),
    applicationName: 'psa-orchestrator-tests',
    logger: quiet,
  })
}

function withDatabaseName(url: string, name: string): string {
  const copy = new URL(url)
  copy.pathname = `/${name}`
  return copy.href
}

export interface TestDatabase {
  url: string
  name: string
  /** A service connection to it, for fixtures and assertions. */
  db: Database
  drop(): Promise<void>
}

/**
 * A database of its own for one test file: the Supabase bootstrap plus every migration, empty otherwise,
 * dropped at the end. Queue positions are global per agent type, so files must not share sessions.
 */
export async function createTestDatabase(tag: string): Promise<TestDatabase> {
  const name = `psa_orch_${tag}_${randomBytes(4).toString('hex')}`
  const admin = connect(SERVER_URL)
  const url = withDatabaseName(SERVER_URL, name)
  try {
    await admin.sql.unsafe(`create database ${name}`)
    // Roles are cluster-wide: bootstraps of parallel test files (ours and other packages') must not race.
    const lock = await admin.sql.reserve()
    try {
      await lock`select pg_advisory_lock(hashtextextended(${'psa:bootstrap'}, 0))`
      const target = connect(url)
      try {
        await target.sql.unsafe(await readFile(`${SUPABASE_DIR}bootstrap/supabase-compat.sql`, 'utf8'))
        const migrations = (await readdir(`${SUPABASE_DIR}migrations`))
          .filter((f) => f.endsWith('.sql'))
          .sort()
        for (const file of migrations) {
          await target.sql.unsafe(await readFile(`${SUPABASE_DIR}migrations/${file}`, 'utf8'))
        }
      } finally {
        await target.close()
      }
      await lock`select pg_advisory_unlock(hashtextextended(${'psa:bootstrap'}, 0))`
    } finally {
      lock.release()
    }
  } finally {
    await admin.close()
  }
  const db = connect(url, 4)
  return {
    url,
    name,
    db,
    drop: async () => {
      await db.close()
      const dropper = connect(SERVER_URL)
      try {
        await dropper.sql.unsafe(`drop database if exists ${name} with (force)`)
      } finally {
        await dropper.close()
      }
    },
  }
}
