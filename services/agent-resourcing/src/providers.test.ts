import { describeProviderRoundTrips } from '@psa/agent-runtime/testing/providers'
import { addDays } from '@psa/calendar'
import { demoAnchor, demoDataLoaded, demoUser, NORTHWIND_ORGANISATION_ID } from '@psa/demo-data'
import { openTestDatabase, testUser } from '@psa/test-kit'
import { afterAll, beforeAll, expect } from 'vitest'
import { resourcingAgent } from './agent.js'

// The resourcing agent with a real provider (OpenAI, Anthropic, Bedrock wire formats) playing a scripted
// model on loopback: its tools are offered as that provider wants them and run for real on the demo data.
const anchor = demoAnchor(new Date().toISOString().slice(0, 10))
const db = openTestDatabase()
let loaded = false
beforeAll(async () => {
  loaded = await demoDataLoaded(db.sql)
})
afterAll(() => db.sql.end())

describeProviderRoundTrips({
  agent: resourcingAgent,
  user: () => testUser(demoUser('admin@northwind.example'), NORTHWIND_ORGANISATION_ID, 'admin'),
  ready: () => loaded,
  cases: [
    {
      title: 'capacity_report finds the planted double bookings (Priya Raman, Isabella Moreno)',
      request: 'Who is over-allocated this week and next?',
      call: {
        name: 'capacity_report',
        input: { from: anchor, to: addDays(anchor, 13), view: 'over_allocation' },
      },
      expectOutput(output) {
        const over = output.over_allocations as { name: string; week: string; over_by_hours: number }[]
        for (const name of ['Priya Raman', 'Isabella Moreno']) {
          const weeks = over.filter((o) => o.name === name)
          expect(weeks.map((o) => o.week).sort(), name).toEqual([anchor, addDays(anchor, 7)])
          expect(weeks.every((o) => o.over_by_hours > 0)).toBe(true)
        }
      },
    },
    {
      title: 'list_open_requests finds the React requests behind the shortage',
      request: 'Which open requests need React?',
      call: { name: 'list_open_requests', input: { skill: 'React' } },
      expectOutput(output) {
        const requests = output.requests as { code: string; min_proficiency: number | null }[]
        const needing = requests.filter((r) => (r.min_proficiency ?? 0) >= 4).map((r) => r.code)
        expect(needing.sort()).toEqual(['NW-201', 'NW-302', 'NW-304'])
      },
    },
  ],
  badInput: {
    name: 'capacity_report',
    input: { from: 20260105, to: '2026-01-18', view: 'over_allocation' },
    field: 'from',
  },
})
