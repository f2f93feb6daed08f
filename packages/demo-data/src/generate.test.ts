import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { BLUEBIRD_ORGANISATION_ID, DEMO_USERS, NORTHWIND_ORGANISATION_ID } from './constants.js'
import { demoAnchor, generateDemoData } from './generate.js'

function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex')
}

describe('the demo data generator', () => {
  it('produces identical data on every run with the same inputs', () => {
    const first = generateDemoData({ today: '2026-11-25' })
    const second = generateDemoData({ today: '2026-11-25' })
    expect(second).toEqual(first)
    expect(fingerprint(second)).toBe(fingerprint(first))
  })

  it('produces the same data on a machine in another time zone and locale', () => {
    const module = fileURLToPath(new URL('./generate.ts', import.meta.url))
    const script = `import { generateDemoData } from ${JSON.stringify(module)}
      import { createHash } from 'node:crypto'
      process.stdout.write(createHash('sha256').update(JSON.stringify(generateDemoData({ today: '2026-11-25' }))).digest('hex'))`
    const elsewhere = execFileSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        env: { ...process.env, TZ: 'Pacific/Kiritimati', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' },
        encoding: 'utf8',
      },
    )
    expect(elsewhere).toBe(fingerprint(generateDemoData({ today: '2026-11-25' })))
  })

  it('anchors on the Monday of the week of today, so every day of a week gives the same data', () => {
    expect(demoAnchor('2026-11-25')).toBe('2026-11-23')
    expect(demoAnchor(new Date('2026-11-29T23:59:59Z'))).toBe('2026-11-23')
    const monday = generateDemoData({ today: '2026-11-23' })
    const sunday = generateDemoData({ today: new Date('2026-11-29T12:00:00Z') })
    expect(fingerprint(sunday)).toBe(fingerprint(monday))
    expect(monday.anchor).toBe('2026-11-23')
  })

  it('moves the dates with the anchor and keeps the ids of everything that is not dated', () => {
    const now = generateDemoData({ today: '2026-11-25' })
    const later = generateDemoData({ today: '2027-03-03' })
    expect(later.anchor).toBe('2027-03-01')
    const ids = (d: typeof now, table: 'people' | 'projects' | 'tasks' | 'quotes' | 'roles') =>
      d.tables[table].map((r) => r.id)
    for (const table of ['people', 'projects', 'tasks', 'quotes', 'roles'] as const) {
      expect(ids(later, table)).toEqual(ids(now, table))
    }
    const project = (d: typeof now) => d.tables.projects.find((p) => p.code === 'NW-201')
    expect(project(now)?.starts_on).toBe('2026-08-03')
    expect(project(later)?.starts_on).toBe('2026-11-09')
  })

  it('derives ids from the seed', () => {
    const other = generateDemoData({ today: '2026-11-25', seed: 'another-seed' })
    const usual = generateDemoData({ today: '2026-11-25' })
    expect(other.tables.people[0]?.id).not.toBe(usual.tables.people[0]?.id)
    // The fixed identities are API and do not depend on the seed.
    expect(other.tables.organisations.map((o) => o.id)).toEqual([
      NORTHWIND_ORGANISATION_ID,
      BLUEBIRD_ORGANISATION_ID,
    ])
    expect(other.tables.auth_users.map((u) => u.id)).toEqual(DEMO_USERS.map((u) => u.id))
  })

  it('describes a consulting firm of about fifty people and a small studio', () => {
    const { tables } = generateDemoData({ today: '2026-11-25' })
    const count = (table: keyof typeof tables, org = NORTHWIND_ORGANISATION_ID) =>
      (tables[table] as Array<{ organisation_id?: string }>).filter((r) => r.organisation_id === org).length
    expect(count('people')).toBeGreaterThanOrEqual(48)
    expect(count('people')).toBeLessThanOrEqual(55)
    expect(count('roles')).toBe(12)
    expect(count('skills')).toBe(30)
    expect(count('locations')).toBe(3)
    expect(count('clients')).toBe(10)
    expect(count('projects')).toBeGreaterThanOrEqual(20)
    expect(count('rate_cards')).toBe(3)
    expect(count('people', BLUEBIRD_ORGANISATION_ID)).toBe(5)
    expect(count('projects', BLUEBIRD_ORGANISATION_ID)).toBe(1)
    expect(count('quotes', BLUEBIRD_ORGANISATION_ID)).toBeGreaterThanOrEqual(1)
  })
})
