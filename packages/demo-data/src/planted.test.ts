import { addDays } from '@psa/calendar'
import { describe, expect, it } from 'vitest'
import {
  earnedValue,
  lateMilestones,
  overAllocations,
  projectBurn,
  skillSupply,
  weeklyLoads,
} from './analysis.js'
import { BLUEBIRD_ORGANISATION_ID, NORTHWIND_ORGANISATION_ID as NW } from './constants.js'
import { generateDemoData } from './generate.js'

// A week in the middle of the year, one across the new year, and the default.
describe.each(['2026-11-25', '2026-12-31', '2027-06-02'])('the planted problems, today = %s', (today) => {
  const data = generateDemoData({ today })
  const { tables, anchor } = data
  const personName = (id: string) => tables.people.find((p) => p.id === id)?.full_name
  const projectCode = (id: string) => tables.projects.find((p) => p.id === id)?.code

  it('(a) exactly two people are booked beyond their capacity, in this week and the next', () => {
    const over = overAllocations(tables, NW)
      .map((o) => ({
        person: personName(o.personId) ?? '',
        week: o.week,
        allocated: o.allocatedHours,
        capacity: o.capacityHours,
      }))
      .sort((a, b) => a.week.localeCompare(b.week) || a.person.localeCompare(b.person))
    expect(over).toEqual([
      { person: 'Isabella Moreno', week: anchor, allocated: 52, capacity: 40 },
      { person: 'Priya Raman', week: anchor, allocated: 56, capacity: 40 },
      { person: 'Isabella Moreno', week: addDays(anchor, 7), allocated: 52, capacity: 40 },
      { person: 'Priya Raman', week: addDays(anchor, 7), allocated: 56, capacity: 40 },
    ])
    // Their double booking is hard on both sides: nothing tentative about it.
    const ids = new Set(over.map((o) => tables.people.find((p) => p.full_name === o.person)?.id))
    const thisWeek = tables.allocations.filter(
      (a) => ids.has(a.person_id) && a.starts_on <= addDays(anchor, 4) && a.ends_on >= anchor,
    )
    expect(thisWeek.every((a) => a.kind === 'hard')).toBe(true)
    expect(new Set(thisWeek.map((a) => projectCode(a.project_id)))).toEqual(
      new Set(['NW-201', 'NW-206', 'NW-208', 'NW-209']),
    )
    expect(overAllocations(tables, BLUEBIRD_ORGANISATION_ID)).toEqual([])
    expect(data.planted.overAllocations.map((o) => o.person).sort()).toEqual(over.map((o) => o.person).sort())
  })

  it('(b) exactly one active project has burned more than 85% of its budget (booked time at its rate card)', () => {
    const burns = projectBurn(tables, NW).filter((b) => b.status === 'active')
    const over = burns.filter((b) => b.burnPct > 85)
    expect(over.map((b) => b.code)).toEqual(['NW-202'])
    const [burn] = over
    expect(burn?.burnPct).toBeGreaterThan(88)
    expect(burn?.burnPct).toBeLessThan(95)
    expect(tables.projects.find((p) => p.code === 'NW-202')).toMatchObject({
      billing_model: 'fixed_fee',
      health: 'red',
    })
    // The same burn as earned value's actual cost; everyone else is comfortably inside.
    const ev = earnedValue(tables, NW, addDays(anchor, 1)).find((e) => e.code === 'NW-202')
    expect(burn?.burnMinor).toBe(ev?.actualMinor)
    for (const b of burns.filter((x) => x.code !== 'NW-202')) expect(b.burnPct).toBeLessThan(75)
    expect(data.planted.budgetBurn).toMatchObject({ projectCode: 'NW-202', burnPct: burn?.burnPct })
  })

  it('(c) exactly one milestone is late: due before today and not completed', () => {
    const late = lateMilestones(tables, NW, anchor)
    expect(late.map((m) => [projectCode(m.project_id), m.name, m.due_on])).toEqual([
      ['NW-204', 'UAT sign-off (release 1)', addDays(anchor, -3)],
    ])
    expect(lateMilestones(tables, BLUEBIRD_ORGANISATION_ID, anchor)).toEqual([])
    // The tasks behind it are overdue, not done.
    const phase = tables.phases.find((p) => p.name === 'Release 1 acceptance')
    const overdue = tables.tasks.filter((t) => t.phase_id === phase?.id && t.status !== 'done')
    expect(overdue.length).toBeGreaterThan(0)
    expect(overdue.every((t) => t.ends_on < anchor)).toBe(true)
  })

  it('(d) only two people know React at 4+, both fully booked, while open requests need more', () => {
    const react = skillSupply(tables, NW, 'React', 4)
    expect(react.qualifiedPersonIds.map(personName).sort()).toEqual(['Marcus Chen', 'Priya Raman'])
    const unmet = tables.resource_requests.filter((r) => react.unmetRequestIds.includes(r.id))
    expect(unmet.length).toBeGreaterThan(react.qualifiedPersonIds.length)
    expect(unmet.map((r) => projectCode(r.project_id)).sort()).toEqual(['NW-201', 'NW-302', 'NW-304'])
    expect(unmet.every((r) => r.status === 'open' && r.ends_on >= anchor)).toBe(true)
    // Neither expert has an hour to spare in any week an unmet request needs them.
    const loads = weeklyLoads(tables, NW)
    const firstNeed = unmet.map((r) => r.starts_on).sort()[0] as string
    for (const id of react.qualifiedPersonIds) {
      const capacity = tables.people.find((p) => p.id === id)?.weekly_capacity_hours ?? 0
      for (let week = firstNeed; week <= addDays(firstNeed, 6 * 7); week = addDays(week, 7)) {
        const booked = loads.find((l) => l.personId === id && l.week === week)?.allocatedHours ?? 0
        expect(booked, `${personName(id)} in ${week}`).toBeGreaterThanOrEqual(capacity)
      }
    }
    expect(data.planted.skillShortage.qualifiedPeople.sort()).toEqual(['Marcus Chen', 'Priya Raman'])
  })
})
