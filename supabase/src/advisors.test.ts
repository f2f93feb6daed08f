import { randomBytes } from 'node:crypto'
import { testDatabaseUrl } from '@psa/test-kit'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { advisorProblems, runAdvisors, summariseFindings } from './advisors.js'
import { parseDatabaseUrl } from './database-url.js'

// One advisors run (it takes a second or two) with a deliberately bad function planted in a schema of its
// own: the run must flag the plant, proving the parsing works, and flag nothing else at warning level.
const probeSchema = `advisor_probe_${randomBytes(4).toString('hex')}`
let sql: postgres.Sql

beforeAll(async () => {
  sql = postgres(testDatabaseUrl(), { max: 1, onnotice: () => {} })
  await sql.unsafe(
    `create schema ${probeSchema}; create function ${probeSchema}.mutable() returns int language sql as 'select 1'`,
  )
})

afterAll(async () => {
  await sql.unsafe(`drop schema if exists ${probeSchema} cascade`)
  await sql.end()
})

describe('supabase db advisors', () => {
  it('finds nothing at warning level in the migrated schema (and does catch a planted problem)', async () => {
    const findings = await runAdvisors(parseDatabaseUrl(testDatabaseUrl()))
    const problems = advisorProblems(findings)
    const planted = problems.filter((f) => f.detail.includes(probeSchema))
    expect(planted.map((f) => f.name)).toEqual(['function_search_path_mutable'])
    expect(problems.filter((f) => !planted.includes(f))).toEqual([])
    expect(summariseFindings(findings)).toContain('WARN function_search_path_mutable: 1')
  }, 60_000)
})
