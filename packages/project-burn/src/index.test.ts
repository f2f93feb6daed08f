import { randomUUID } from 'node:crypto'
import type { Database } from '@psa/db'
import { createTenant, openTestDatabase, type Tenant } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bookedTime } from './index.js'

let db: Database
let t: Tenant

beforeAll(async () => {
  db = openTestDatabase()
  t = await createTenant(db)
})

afterAll(async () => {
  await t?.drop()
  await db?.close()
})

describe('bookedTime', () => {
  it("values every entry at its person's rates, billable or not, up to a date if asked", async () => {
    const unknown = randomUUID()
    // 8 h of Dieter (cost 50.00, bill 120.00), 6.5 h billable + 2 h non-billable of Ada (cost 70.00, bill 160.00).
    const all = await db.asUser(t.claims('viewer'), (tx) => bookedTime(tx, [t.ids.project, unknown]))
    expect(all.get(t.ids.project)).toEqual({
      hoursLogged: '16.50',
      billableHours: '14.50',
      costMinor: '99500',
      billableValueMinor: '200000',
    })
    expect(all.get(unknown)).toEqual({
      hoursLogged: '0',
      billableHours: '0',
      costMinor: '0',
      billableValueMinor: '0',
    })
    const early = await db.asUser(t.claims('viewer'), (tx) =>
      bookedTime(tx, [t.ids.project], { through: '2027-01-26' }),
    )
    expect(early.get(t.ids.project)).toMatchObject({ hoursLogged: '14.50', costMinor: '85500' })
  })

  it('counts only what the user may see', async () => {
    const theirs = await db.asUser(t.claims('otherAdmin'), (tx) => bookedTime(tx, [t.ids.project]))
    expect(theirs.get(t.ids.project)?.costMinor).toBe('0')
  })
})
