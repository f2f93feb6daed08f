import { describeProviderRoundTrips } from '@psa/agent-runtime/testing/providers'
import { demoDataLoaded, demoUser, generateDemoData, NORTHWIND_ORGANISATION_ID } from '@psa/demo-data'
import { openTestDatabase, testUser } from '@psa/test-kit'
import { afterAll, beforeAll, expect } from 'vitest'
import { projectAgent } from './agent.js'

// The project agent with a real provider (OpenAI, Anthropic, Bedrock wire formats) playing a scripted model
// on loopback: its tools are offered as that provider wants them and run for real on the demo data.
const today = new Date().toISOString().slice(0, 10)
const { planted } = generateDemoData({ today })
const db = openTestDatabase()
let loaded = false
beforeAll(async () => {
  loaded = await demoDataLoaded(db.sql)
})
afterAll(() => db.sql.end())

interface Status {
  code: string
  burn_pct: number | null
  late_milestones: { name: string; due_on: string }[]
  findings: string[]
}

describeProviderRoundTrips({
  agent: projectAgent,
  user: () => testUser(demoUser('admin@northwind.example'), NORTHWIND_ORGANISATION_ID, 'admin'),
  ready: () => loaded,
  cases: [
    {
      title: 'get_project_status for NW-202 returns its burn past 85%',
      request: 'How is NW-202 doing on budget?',
      call: { name: 'get_project_status', input: { project: 'NW-202' } },
      expectOutput(output) {
        const [status] = output.projects as unknown as Status[]
        expect(status?.code).toBe('NW-202')
        expect(status?.burn_pct).toBeGreaterThanOrEqual(85)
        expect(status?.burn_pct).toBeCloseTo(planted.budgetBurn.burnPct, 0)
        expect(status?.findings.join('; ')).toMatch(/of the budget is burned/)
      },
    },
    {
      title: 'get_project_status for NW-204 finds the late UAT sign-off',
      request: 'Is anything late on NW-204?',
      call: { name: 'get_project_status', input: { project: planted.lateMilestone.projectCode } },
      expectOutput(output) {
        const [status] = output.projects as unknown as Status[]
        expect(status?.late_milestones).toEqual([
          expect.objectContaining({ name: planted.lateMilestone.name, due_on: planted.lateMilestone.dueOn }),
        ])
      },
    },
  ],
  badInput: { name: 'get_project_status', input: { project: 202, all_active: 'yes' }, field: 'project' },
})
