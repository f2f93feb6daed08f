import type { AgentToolContext, ToolResult } from '@psa/agent-runtime'
import { addDays } from '@psa/calendar'
import {
  demoAnchor,
  demoDataLoaded,
  demoUser,
  generateDemoData,
  NORTHWIND_ORGANISATION_ID,
} from '@psa/demo-data'
import { openTestDatabase, testUser } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findCandidates } from './tools/find-candidates.js'
import { listOpenRequests } from './tools/open-requests.js'

// The planted staffing problems of the demo firm, found by the resourcing agent's own tools as the
// resource manager would ask for them (the tools called directly, as the Strands agent calls them).
const db = openTestDatabase()
const today = new Date().toISOString().slice(0, 10)
const anchor = demoAnchor(today)
const { planted } = generateDemoData({ today })
const admin = testUser(demoUser('admin@northwind.example'), NORTHWIND_ORGANISATION_ID, 'admin')
const ctx = {
  session: { today, organisationId: NORTHWIND_ORGANISATION_ID, userId: admin.id },
  asUser: (fn) => db.asUser(admin.claims, fn),
} as Pick<AgentToolContext, 'asUser'> as AgentToolContext

interface Candidate {
  name: string
  over_allocated_weeks: string[]
  time_off_hours: number
  holiday_hours: number
}
const candidatesOf = (result: ToolResult) => result.candidates as unknown as Candidate[]
let loaded = false

beforeAll(async () => {
  loaded = await demoDataLoaded(db.sql)
})
afterAll(() => db.sql.end())

describe('the resourcing agent on the demo firm', () => {
  it('finds exactly the two people booked past their capacity this week and next', async (context) => {
    if (!loaded) context.skip()
    const roles = await db.asUser(admin.claims, (tx) => tx.selectFrom('roles').select('name').execute())
    const flagged: Candidate[] = []
    for (const { name: role } of roles) {
      const result = await findCandidates.run(
        {
          role,
          starts_on: anchor,
          ends_on: addDays(anchor, 11),
          hours_per_week: 1,
          respect_utilisation_target: false,
          limit: 50,
        },
        ctx,
      )
      flagged.push(...candidatesOf(result).filter((c) => c.over_allocated_weeks.length > 0))
    }
    // Double-booked: over in both weeks with no time off to explain it. Anyone else the tool flags is booked
    // in a week they are away (capacity net of time off and holidays), which is a conflict, not a double
    // booking.
    const doubleBooked = flagged.filter((c) => c.time_off_hours === 0 && c.holiday_hours === 0)
    expect(Object.fromEntries(doubleBooked.map((c) => [c.name, c.over_allocated_weeks]))).toEqual({
      'Isabella Moreno': [anchor, addDays(anchor, 7)],
      'Priya Raman': [anchor, addDays(anchor, 7)],
    })
    expect(new Set(planted.overAllocations.map((o) => o.person))).toEqual(
      new Set(doubleBooked.map((c) => c.name)),
    )
    expect(flagged.length - doubleBooked.length).toBeLessThanOrEqual(3)
  })

  it('reports the React shortage: two experts, both booked, three open requests needing React 4+', async (context) => {
    if (!loaded) context.skip()
    const requests = (await listOpenRequests.run({ skill: 'React' }, ctx)).requests as unknown as {
      code: string
      min_proficiency: number | null
      resource_request_id: string
    }[]
    const needing = requests.filter((r) => (r.min_proficiency ?? 0) >= 4)
    expect(needing.map((r) => r.code).sort()).toEqual(['NW-201', 'NW-302', 'NW-304'])
    for (const request of needing) {
      const result = await findCandidates.run(
        { resource_request_id: request.resource_request_id, respect_utilisation_target: false },
        ctx,
      )
      expect(result.shortage, request.code).toBe(true)
      expect(
        candidatesOf(result)
          .map((c) => c.name)
          .sort(),
      ).toEqual(['Marcus Chen', 'Priya Raman'])
    }
  })
})
