import { addDays } from '@psa/calendar'
import {
  demoDataLoaded,
  demoUser,
  earnedValue,
  generateDemoData,
  NORTHWIND_ORGANISATION_ID,
} from '@psa/demo-data'
import { budgetBurn } from '@psa/project-burn'
import { openTestDatabase, testUser } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The demo firm's earned value as the database prices it (@psa/project-burn's budgetBurn, what status
// reports can stand on) agrees with the generator's own measure, project by project, so the consistency
// the demo-data tests hold is what a user of the product sees.
const db = openTestDatabase()
const today = new Date().toISOString().slice(0, 10)
const { tables, anchor, planted } = generateDemoData({ today })
const manager = testUser(demoUser('manager@northwind.example'), NORTHWIND_ORGANISATION_ID, 'manager')

let loaded = false

beforeAll(async () => {
  loaded = await demoDataLoaded(db.sql)
})
afterAll(() => db.sql.end())

describe('earned value of the demo firm from the database', () => {
  it('prices booked time at each rate card exactly as the generator did, and keeps CPI within 0.8-1.2', async (context) => {
    if (!loaded) context.skip()
    const expected = earnedValue(tables, NORTHWIND_ORGANISATION_ID, anchor)
    const ids = expected.map((e) => e.projectId)
    const burns = await db.asUser(manager.claims, (tx) =>
      budgetBurn(tx, ids, { through: addDays(anchor, -1) }),
    )
    for (const e of expected) {
      const burn = burns.get(e.projectId)
      expect(burn?.burnMinor, e.code).toBe(String(e.actualMinor))
      if (e.status !== 'active' || e.code === planted.budgetBurn.projectCode) continue
      const cpi = e.earnedValueMinor / Number(burn?.burnMinor)
      expect(cpi, `${e.code} CPI`).toBeGreaterThanOrEqual(0.8)
      expect(cpi, `${e.code} CPI`).toBeLessThanOrEqual(1.2)
    }
  })
})
