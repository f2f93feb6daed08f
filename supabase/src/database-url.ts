import { AppError } from '@psa/errors'

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/psa'
export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/psa_test'

/** A database on a server: the database's own URL plus the server's maintenance database, used to create it. */
export interface DatabaseLocation {
  readonly url: string
  readonly database: string
  readonly host: string
  readonly port: number
  /** The same server and credentials, database `postgres` (to create, drop and clone databases). */
  readonly maintenanceUrl: string
  /** The URL of another database on the same server. */
  withDatabase(name: string): DatabaseLocation
}

// Names we create or drop are spliced into DDL, so keep them to plain identifiers.
const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/** Parses a postgres:// URL, refusing anything we could not safely create or drop a database for. */
export function parseDatabaseUrl(raw: string, variable = 'DATABASE_URL'): DatabaseLocation {
  let url: URL
  try {
    url = new URL(raw)
  } catch (cause) {
    throw new AppError('VALIDATION_FAILED', `${variable} is not a URL`, { cause, details: { variable } })
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new AppError('VALIDATION_FAILED', `${variable} must be a postgres:// URL, got ${url.protocol}//`, {
      details: { variable },
    })
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''))
  if (!DATABASE_NAME.test(database)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `${variable} must name a database made of letters, digits and underscores (got "${database}")`,
      { details: { variable } },
    )
  }
  return locationOf(url, database)
}

function locationOf(url: URL, database: string): DatabaseLocation {
  const at = (name: string) => {
    const copy = new URL(url.href)
    copy.pathname = `/${name}`
    return copy.href
  }
  return {
    url: at(database),
    database,
    host: url.hostname || 'localhost',
    port: Number(url.port || 5432),
    maintenanceUrl: at('postgres'),
    withDatabase: (name: string) => {
      if (!DATABASE_NAME.test(name)) {
        throw new AppError('VALIDATION_FAILED', `invalid database name "${name}"`)
      }
      return locationOf(url, name)
    },
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1', ''])

/**
 * The URL to hand to the Supabase CLI. The CLI insists on TLS unless told otherwise, and a local dev/CI
 * server has none; remote servers keep whatever sslmode the URL asks for.
 */
export function cliDatabaseUrl(location: DatabaseLocation): string {
  const url = new URL(location.url)
  if (!url.searchParams.has('sslmode') && LOOPBACK.has(url.hostname))
    url.searchParams.set('sslmode', 'disable')
  return url.href
}

/** The URL with its password masked, for messages. */
export function redactDatabaseUrl(raw: string): string {
  try {
    const url = new URL(raw)
    if (url.password) url.password = '***'
    return url.href
  } catch {
    return '(unparseable URL)'
  }
}
