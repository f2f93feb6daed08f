import { randomUUID } from 'node:crypto'
import type { Database } from '@psa/db'
import { createTenant, openTestDatabase, type Tenant } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bookedTime, budgetBurn } from './index.js'

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

describe('budgetBurn', () => {
  it('values billable time and materials hours at the role rate when the project has no rate card', async () => {
    // 8 h of Dieter (Designer, 120.00) and 6.5 h billable of Ada (Developer, 150.00); her 2 h non-billable
    // do not count against a T&M budget of 150,000.00.
    const burn = await db.asUser(t.claims('viewer'), (tx) => budgetBurn(tx, [t.ids.project]))
    expect(burn.get(t.ids.project)).toEqual({
      hours: '14.50',
      burnMinor: '193500',
      budgetMinor: '15000000',
      burnPct: '1.2',
    })
  })

  it("prices at the project's rate card on the day worked, every hour on a fixed fee", async () => {
    const card = randomUUID()
    await db.sql`insert into public.rate_cards (id, organisation_id, name, currency)
      values (${card}, ${t.orgId}, ${`Acme card ${card}`}, 'USD')`
    await db.sql`insert into public.rate_card_lines (id, organisation_id, rate_card_id, role_id, bill_rate_minor,
        effective_from, effective_to) values
      (${randomUUID()}, ${t.orgId}, ${card}, ${t.ids.developerRole}, 18000, '2026-01-01', '2027-01-26'),
      (${randomUUID()}, ${t.orgId}, ${card}, ${t.ids.developerRole}, 20000, '2027-01-27', null)`
    await db.sql`update public.projects set rate_card_id = ${card}, billing_model = 'fixed_fee'
      where id = ${t.ids.project}`
    const burn = await db.asUser(t.claims('viewer'), (tx) => budgetBurn(tx, [t.ids.project]))
    // Dieter 8 h at the Designer role (no line on the card) 96,000; Ada 6.5 h on the 26th at 180.00 and
    // 2 h on the 27th at 200.00.
    expect(burn.get(t.ids.project)).toMatchObject({
      hours: '16.50',
      burnMinor: String(96_000 + 117_000 + 40_000),
    })
    const early = await db.asUser(t.claims('viewer'), (tx) =>
      budgetBurn(tx, [t.ids.project], { through: '2027-01-26' }),
    )
    expect(early.get(t.ids.project)?.burnMinor).toBe(String(96_000 + 117_000))
  })

  it('counts only what the user may see', async () => {
    const theirs = await db.asUser(t.claims('otherAdmin'), (tx) => budgetBurn(tx, [t.ids.project]))
    expect(theirs.get(t.ids.project)).toMatchObject({ burnMinor: '0', budgetMinor: null })
  })
})
