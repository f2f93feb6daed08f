import { AppError } from '@psa/errors'
import postgres from 'postgres'
import type { DatabaseLocation } from './database-url.js'

export const START_POSTGRES_HINT = 'pg_ctlcluster --skip-systemctl-redirect 15 main start'

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'CONNECT_TIMEOUT',
])

/** A small client for tooling: one connection, no prepared statements, server notices kept out of the output. */
export function connect(url: string, options: { max?: number } = {}): postgres.Sql {
  return postgres(url, {
    max: options.max ?? 1,
    prepare: false,
    connect_timeout: 5,
    idle_timeout: 5,
    onnotice: () => {},
    connection: { application_name: 'psa-db-tools' },
  })
}

/**
 * Turns "cannot connect" into an error that says what to do about it; anything else passes through.
 * Our code is UNAVAILABLE, like every other "dependency is down" in the system.
 */
export function explainConnectionError(err: unknown, location: DatabaseLocation): unknown {
  const code = (err as { code?: string } | null)?.code
  if (code && UNREACHABLE_CODES.has(code)) {
    return new AppError(
      'UNAVAILABLE',
      `Postgres is not reachable at ${location.host}:${location.port} (${code}). ` +
        `Is it running? Start the local server with: ${START_POSTGRES_HINT}`,
      { cause: err, details: { host: location.host, port: location.port, reason: code } },
    )
  }
  if (code === '28P01' || code === '28000') {
    return new AppError(
      'UNAVAILABLE',
      `Postgres at ${location.host}:${location.port} refused the credentials in the URL (${code})`,
      { cause: err, details: { host: location.host, port: location.port, reason: code } },
    )
  }
  return err
}

/** Runs fn with a client on the server's maintenance database, mapping connection failures. */
export async function withMaintenance<T>(
  location: DatabaseLocation,
  fn: (sql: postgres.Sql) => Promise<T>,
): Promise<T> {
  const sql = connect(location.maintenanceUrl)
  try {
    await sql`select 1`.catch((err: unknown) => {
      throw explainConnectionError(err, location)
    })
    return await fn(sql)
  } finally {
    await sql.end({ timeout: 5 })
  }
}

/** Runs fn with a client on the location's database. */
export async function withDatabase<T>(
  location: DatabaseLocation,
  fn: (sql: postgres.Sql) => Promise<T>,
  options: { max?: number } = {},
): Promise<T> {
  const sql = connect(location.url, options)
  try {
    await sql`select 1`.catch((err: unknown) => {
      throw explainConnectionError(err, location)
    })
    return await fn(sql)
  } finally {
    await sql.end({ timeout: 5 })
  }
}

export async function databaseExists(admin: postgres.Sql, name: string): Promise<boolean> {
  const rows = await admin`select 1 from pg_database where datname = ${name}`
  return rows.length > 0
}

/** Creates the database unless it exists; a concurrent creator winning the race is fine. */
export async function ensureDatabase(admin: postgres.Sql, name: string): Promise<boolean> {
  if (await databaseExists(admin, name)) return false
  try {
    await admin.unsafe(`create database "${name}"`)
    return true
  } catch (err) {
    if ((err as { code?: string }).code === '42P04') return false
    throw err
  }
}

/** Drops the database, disconnecting whoever is still connected. */
export async function dropDatabase(admin: postgres.Sql, name: string): Promise<void> {
  const rows = await admin<{ datistemplate: boolean }[]>`
    select datistemplate from pg_database where datname = ${name}
  `
  if (rows.length === 0) return
  // A template database cannot be dropped until it stops being one.
  if (rows[0]?.datistemplate) await admin.unsafe(`alter database "${name}" is_template false`)
  await admin.unsafe(`drop database if exists "${name}" with (force)`)
}

/**
 * Holds a server-wide advisory lock while fn runs. Roles are shared by every database on the server, so two
 * bootstraps (two test runs, or a test run and db:setup) must not create them at the same time. The lock
 * lives on its own connection to the maintenance database, so it serialises work on any database of the
 * server and fn stays free to use other connections.
 */
export async function withServerLock<T>(
  location: DatabaseLocation,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = connect(location.maintenanceUrl)
  const key = `psa:${name}`
  try {
    await lock`select pg_advisory_lock(hashtextextended(${key}, 0))`.catch((err: unknown) => {
      throw explainConnectionError(err, location)
    })
    return await fn()
  } finally {
    // Ending the session releases the lock even if the unlock query cannot run.
    await lock.end({ timeout: 5 })
  }
}
