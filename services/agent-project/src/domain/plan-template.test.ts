import { addDays, isoWeekday, nextMonday, nextWorkingDay } from '@psa/calendar'
import { describe, expect, it } from 'vitest'
import { buildPlan, chooseTemplate, type PlanRole, phaseWeeks, workingDay } from './plan-template.js'

const ROLES: PlanRole[] = [
  ['Project Manager', 16_500, 7_000],
  ['Business Analyst', 14_000, 6_000],
  ['UX Researcher', 15_000, 6_500],
  ['Designer', 14_500, 6_000],
  ['Solution Architect', 23_500, 10_000],
  ['Lead Developer', 20_500, 9_000],
  ['Senior Developer', 17_500, 7_500],
  ['Junior Developer', 11_000, 4_500],
  ['QA Engineer', 12_000, 5_000],
  ['DevOps Engineer', 18_000, 7_500],
  ['Data Engineer', 18_000, 7_500],
].map(([name, bill, cost], i) => ({
  id: `role-${i}`,
  name: name as string,
  billRateMinor: bill as number,
  costRateMinor: cost as number,
}))

describe('dates', () => {
  it('knows weekdays and working days', () => {
    expect(isoWeekday('2027-01-04')).toBe(1) // Monday
    expect(nextWorkingDay('2027-01-09')).toBe('2027-01-11')
    expect(nextWorkingDay('2027-01-05')).toBe('2027-01-05')
    expect(nextMonday('2026-11-25')).toBe('2026-11-30')
    expect(nextMonday('2026-11-30')).toBe('2026-12-07')
    expect(workingDay('2027-01-06', 0)).toBe('2027-01-06')
    expect(workingDay('2027-01-06', 3)).toBe('2027-01-11') // Wed + 3 working days
    expect(workingDay('2027-01-04', 10)).toBe('2027-01-18')
  })
})

describe('phaseWeeks', () => {
  it('splits the length by weight, at least a week each, adding up exactly', () => {
    expect(phaseWeeks([0.15, 0.2, 0.4, 0.15, 0.1], 12)).toEqual([2, 2, 5, 2, 1])
    for (let weeks = 5; weeks <= 60; weeks++) {
      const split = phaseWeeks([0.15, 0.2, 0.4, 0.15, 0.1], weeks)
      expect(split.reduce((a, b) => a + b, 0)).toBe(weeks)
      expect(Math.min(...split)).toBeGreaterThanOrEqual(1)
    }
  })
})

describe('buildPlan', () => {
  const plan = buildPlan({
    startsOn: '2027-01-05',
    weeks: 12,
    budgetMinor: 15_000_000,
    template: 'website',
    roles: ROLES,
  })

  it('lays phases end to end over the requested weeks, with a milestone at each phase end', () => {
    expect(plan.startsOn).toBe('2027-01-05')
    expect(plan.phases.map((p) => p.name)).toEqual(['Discovery', 'Design', 'Build', 'Test', 'Launch'])
    expect(plan.phases.reduce((sum, p) => sum + p.weeks, 0)).toBe(12)
    plan.phases.slice(1).forEach((phase, i) => {
      const prev = plan.phases[i] as (typeof plan.phases)[number]
      expect(phase.startsOn > prev.endsOn).toBe(true)
      expect(phase.startsOn <= addDays(prev.endsOn, 3)).toBe(true) // the next working day
    })
    expect(plan.endsOn).toBe(plan.phases.at(-1)?.endsOn)
    expect(plan.milestones.map((m) => m.dueOn)).toEqual(plan.phases.map((p) => p.endsOn))
    expect(plan.milestones.at(-1)?.name).toBe('Go-live')
  })

  it('gives every task a role, an estimate and weekday dates inside its phase', () => {
    const phases = new Map(plan.phases.map((p) => [p.key, p]))
    for (const task of plan.tasks) {
      expect(task.roleId).not.toBeNull()
      expect(task.estimateHours).toBeGreaterThan(0)
      expect(task.estimateHours * 2).toBe(Math.round(task.estimateHours * 2))
      expect(isoWeekday(task.startsOn)).toBeLessThan(6)
      expect(isoWeekday(task.endsOn)).toBeLessThan(6)
      expect(task.endsOn >= task.startsOn).toBe(true)
      const phase = task.phaseKey ? phases.get(task.phaseKey) : undefined
      if (phase) {
        expect(task.startsOn >= phase.startsOn && task.endsOn <= phase.endsOn).toBe(true)
      } else {
        expect([task.startsOn, task.endsOn]).toEqual([plan.startsOn, plan.endsOn])
      }
    }
  })

  it('links tasks finish-to-start, every link satisfied by the dates and the graph acyclic', () => {
    const tasks = new Map(plan.tasks.map((t) => [t.key, t]))
    expect(plan.dependencies.length).toBeGreaterThan(plan.phases.length)
    for (const d of plan.dependencies) {
      const from = tasks.get(d.from)
      const to = tasks.get(d.to)
      if (!from || !to) throw new Error(`dependency ${d.from} -> ${d.to} names a missing task`)
      expect(to.startsOn > from.endsOn).toBe(true)
    }
    expect(new Set(plan.dependencies.map((d) => `${d.from}>${d.to}`)).size).toBe(plan.dependencies.length)
    // Every phase after the first waits for the one before.
    for (const phase of plan.phases.slice(1)) {
      expect(
        plan.dependencies.some(
          (d) => d.to.startsWith(`${phase.key}.`) && !d.from.startsWith(`${phase.key}.`),
        ),
      ).toBe(true)
    }
  })

  it('fits the hours to 90% of the budget, at the given bill rates', () => {
    expect(plan.valueMinor).toBeLessThanOrEqual(15_000_000 * 0.9 + 50_000)
    expect(plan.valueMinor).toBeGreaterThan(15_000_000 * 0.85)
    const value = plan.tasks.reduce(
      (sum, t) => sum + t.estimateHours * (ROLES.find((r) => r.id === t.roleId)?.billRateMinor ?? 0),
      0,
    )
    expect(plan.valueMinor).toBe(Math.round(value))
    expect(plan.costMinor).toBeLessThan(plan.valueMinor)
    const unbudgeted = buildPlan({
      startsOn: '2027-01-05',
      weeks: 12,
      budgetMinor: null,
      template: 'website',
      roles: ROLES,
    })
    expect(unbudgeted.scale).toBe(1)
  })

  it('says when the budget cannot buy a sensible plan', () => {
    const tiny = buildPlan({
      startsOn: '2027-01-05',
      weeks: 12,
      budgetMinor: 100_000,
      template: 'software',
      roles: ROLES,
    })
    expect(tiny.scale).toBe(0.25)
    expect(tiny.valueMinor).toBeGreaterThan(100_000)
    expect(tiny.notes.join(' ')).toContain('over budget')
  })

  it('moves a weekend start to Monday, merges phases for short plans, and names missing roles', () => {
    const short = buildPlan({
      startsOn: '2027-01-09',
      weeks: 3,
      budgetMinor: null,
      template: 'website',
      roles: ROLES.slice(0, 2),
    })
    expect(short.startsOn).toBe('2027-01-11')
    expect(short.phases).toHaveLength(3)
    expect(short.notes.join(' ')).toContain('weekend')
    expect(short.notes.join(' ')).toContain('Designer')
    expect(short.tasks.some((t) => t.roleId === null)).toBe(true)
    expect(() =>
      buildPlan({ startsOn: '2027-01-04', weeks: 1, budgetMinor: null, template: 'data', roles: ROLES }),
    ).toThrow(RangeError)
  })

  it('chooses a template from the words of the request', () => {
    expect(chooseTemplate('Website Rebuild')).toBe('website')
    expect(chooseTemplate('Claims data warehouse')).toBe('data')
    expect(chooseTemplate('Driver app')).toBe('mobile_app')
    expect(chooseTemplate('Discovery for Cedar Health')).toBe('discovery')
    expect(chooseTemplate('SAP ERP rollout')).toBe('erp_rollout')
    expect(chooseTemplate('Payments API integration')).toBe('software')
    expect(chooseTemplate('Office move')).toBe('generic')
  })

  it('keeps every dependency type and lag of the template, and dates that satisfy them', () => {
    const roles: PlanRole[] = [
      'Designer',
      'UX Researcher',
      'Senior Developer',
      'Lead Developer',
      'QA Engineer',
    ].map((name, i) => ({ id: `r${i}`, name, billRateMinor: 10_000, costRateMinor: 5_000 }))
    for (const template of ['mobile_app', 'erp_rollout', 'discovery', 'generic'] as const) {
      const plan = buildPlan({ startsOn: '2027-01-04', weeks: 12, budgetMinor: null, template, roles })
      const byKey = new Map(plan.tasks.map((t) => [t.key, t]))
      for (const d of plan.dependencies) {
        const from = byKey.get(d.from)
        const to = byKey.get(d.to)
        if (!from || !to) throw new Error(`dangling dependency ${d.from} -> ${d.to}`)
        if (d.type === 'finish_to_start') expect(to.startsOn > from.endsOn).toBe(true)
        if (d.type === 'start_to_start') expect(to.startsOn >= from.startsOn).toBe(true)
        if (d.type === 'finish_to_finish') expect(to.endsOn >= from.endsOn).toBe(true)
      }
    }
    const mobile = buildPlan({
      startsOn: '2027-01-04',
      weeks: 12,
      budgetMinor: null,
      template: 'mobile_app',
      roles,
    })
    expect(new Set(mobile.dependencies.map((d) => d.type))).toEqual(
      new Set(['finish_to_start', 'start_to_start', 'finish_to_finish']),
    )
    expect(mobile.dependencies.some((d) => d.lagDays > 0)).toBe(true)
  })
})
