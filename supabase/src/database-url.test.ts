import { describe, expect, it } from 'vitest'
import { cliDatabaseUrl, parseDatabaseUrl, redactDatabaseUrl } from './database-url.js'

describe('parseDatabaseUrl', () => {
  it('splits a URL into the database and the server maintenance URL', () => {
    const location = parseDatabaseUrl(
      'postgres://postgres:s3cret@db.internal:6543/psa_dev?application_name=x',
    )
    expect(location.database).toBe('psa_dev')
    expect(location.host).toBe('db.internal')
    expect(location.port).toBe(6543)
    expect(location.maintenanceUrl).toBe(
      'postgres://postgres:s3cret@db.internal:6543/postgres?application_name=x',
    )
    expect(location.withDatabase('psa_test_run_1').url).toBe(
      'postgres://postgres:s3cret@db.internal:6543/psa_test_run_1?application_name=x',
    )
  })

  it('refuses non-postgres URLs and database names that are not plain identifiers', () => {
    expect(() => parseDatabaseUrl('mysql://localhost/psa')).toThrow(/must be a postgres:\/\/ URL/)
    expect(() => parseDatabaseUrl('not a url')).toThrow(/is not a URL/)
    expect(() => parseDatabaseUrl('postgres://localhost/')).toThrow(/must name a database/)
    expect(() => parseDatabaseUrl('postgres://localhost/a";drop')).toThrow(/must name a database/)
    expect(() => parseDatabaseUrl('postgres://localhost/psa').withDatabase('x y')).toThrow(
      /invalid database name/,
    )
  })
})

describe('cliDatabaseUrl', () => {
  it('turns TLS off for a local server only, keeping an explicit sslmode', () => {
    expect(cliDatabaseUrl(parseDatabaseUrl('postgres://postgres@127.0.0.1:5432/psa'))).toBe(
      'postgres://postgres@127.0.0.1:5432/psa?sslmode=disable',
    )
    expect(cliDatabaseUrl(parseDatabaseUrl('postgres://u:p@db.example.supabase.co:5432/postgres'))).toBe(
      'postgres://u:p@db.example.supabase.co:5432/postgres',
    )
    expect(cliDatabaseUrl(parseDatabaseUrl('postgres://localhost/psa?sslmode=require'))).toBe(
      'postgres://localhost/psa?sslmode=require',
    )
  })
})

describe('redactDatabaseUrl', () => {
  it('masks the password', () => {
    expect(redactDatabaseUrl('postgres://app:s3cret@db:5432/psa')).toBe('postgres://app:***@db:5432/psa')
  })
})
