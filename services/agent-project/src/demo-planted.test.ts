import type { AgentToolContext } from '@psa/agent-runtime'
import { demoDataLoaded, demoUser, generateDemoData, NORTHWIND_ORGANISATION_ID } from '@psa/demo-data'
import { openTestDatabase, testUser } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getProjectStatus } from './tools/project-status.js'

// The planted delivery problems of the demo firm, found by the project agent's own status tool as a
// project manager would ask for them (the tool called directly, as the Strands agent calls it).
const db = openTestDatabase()
const today = new Date().toISOString().slice(0, 10)
const { planted } = generateDemoData({ today })
const viewer = testUser(demoUser('viewer@northwind.example'), NORTHWIND_ORGANISATION_ID, 'viewer')
const ctx = {
  session: { today, organisationId: NORTHWIND_ORGANISATION_ID, userId: viewer.id },
  asUser: (fn) => db.asUser(viewer.claims, fn),
} as Pick<AgentToolContext, 'asUser'> as AgentToolContext

interface Status {
  code: string
  burn_pct: number | null
  late_milestones: { name: string; due_on: string }[]
  findings: string[]
}
let loaded = false

beforeAll(async () => {
  loaded = await demoDataLoaded(db.sql)
})
afterAll(() => db.sql.end())

describe('the project agent on the demo firm', () => {
  it('finds NW-202 past 85% of its budget, and no other active project near it', async (context) => {
    if (!loaded) context.skip()
    const all = (await getProjectStatus.run({ all_active: true }, ctx)).projects as unknown as Status[]
    expect(all.length).toBeGreaterThanOrEqual(9)
    const burning = all.filter((s) => (s.burn_pct ?? 0) >= 85)
    expect(burning.map((s) => s.code)).toEqual([planted.budgetBurn.projectCode])
    expect(burning[0]?.burn_pct).toBeCloseTo(planted.budgetBurn.burnPct, 0)
    const [one] = (await getProjectStatus.run({ project: 'NW-202' }, ctx)).projects as unknown as Status[]
    expect(one?.findings.join('; ')).toMatch(/of the budget is burned/)
  })

  it('assesses the whole active portfolio, the most at risk listed first', async (context) => {
    if (!loaded) context.skip()
    const out = await getProjectStatus.run({ all_active: true }, ctx)
    const [row] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from projects
      where organisation_id = ${NORTHWIND_ORGANISATION_ID} and status = 'active'`
    const counts = out.health_counts as Record<string, number>
    const n = row?.n
    expect(out.total_projects).toBe(n)
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(n)
    const order = (out.projects as unknown as { health: string }[]).map((p) =>
      ['red', 'amber', 'green'].indexOf(p.health),
    )
    expect(order).toEqual([...order].sort((a, b) => a - b))
    expect(out.summary).toContain(`${counts.red} red`)
  })

  it('finds exactly one late milestone: the UAT sign-off of NW-204', async (context) => {
    if (!loaded) context.skip()
    const all = (await getProjectStatus.run({ all_active: true }, ctx)).projects as unknown as Status[]
    const late = all.flatMap((s) => s.late_milestones.map((m) => [s.code, m.name, m.due_on]))
    expect(late).toEqual([
      [planted.lateMilestone.projectCode, planted.lateMilestone.name, planted.lateMilestone.dueOn],
    ])
  })
})
