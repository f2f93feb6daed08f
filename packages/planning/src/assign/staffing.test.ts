import { describe, expect, it } from 'vitest'
import { planStaffing, type StaffingProblemInput, scoreStaffing } from './staffing.js'

const base = (): StaffingProblemInput => ({
  requests: [
    { id: 'react-lead', hours: 80 },
    { id: 'react-dev', hours: 120 },
  ],
  candidates: [
    { id: 'ana', capacityHours: 160, bookedHours: 40, utilisationTarget: 0.85, costRate: 9000 },
    { id: 'ben', capacityHours: 220, bookedHours: 0, utilisationTarget: 0.85, costRate: 6000 },
    { id: 'cy', capacityHours: 160, bookedHours: 120, utilisationTarget: 0.85, costRate: 5000 },
  ],
  pairs: [
    { request: 'react-lead', candidate: 'ana', skillFit: 1 },
    { request: 'react-lead', candidate: 'ben', skillFit: 0.6 },
    { request: 'react-dev', candidate: 'ana', skillFit: 0.9 },
    { request: 'react-dev', candidate: 'ben', skillFit: 0.9 },
    { request: 'react-dev', candidate: 'cy', skillFit: 1 },
  ],
})

describe('planStaffing', () => {
  it('staffs every request, one person may take two, nobody beyond capacity', async () => {
    const r = await planStaffing({ ...base(), weights: { cost: 0, skillFit: 1, utilisation: 0 } })
    if (!r.feasible) throw new Error(r.message)
    // Best fit: ana leads; cy has only 40 hours left, so the dev work goes to ana or ben, whoever fits best.
    expect(r.assignments.find((a) => a.request === 'react-lead')?.candidate).toBe('ana')
    for (const p of r.people) expect(p.utilisationAfter).toBeLessThanOrEqual(1)
    expect(r.optimal).toBe(true)
  })

  it('weighs cost against fit explicitly', async () => {
    const cheap = await planStaffing({ ...base(), weights: { cost: 1, skillFit: 0, utilisation: 0 } })
    if (!cheap.feasible) throw new Error(cheap.message)
    expect(cheap.assignments.map((a) => a.candidate)).toEqual(['ben', 'ben'])
    expect(cheap.totalCost).toBe(200 * 6000)
  })

  it('keeps people under their utilisation target when the weight says so', async () => {
    const r = await planStaffing({ ...base(), weights: { cost: 1, skillFit: 0, utilisation: 10 } })
    if (!r.feasible) throw new Error(r.message)
    // ben at 200 hours would pass 85% of 220; the lead goes to ana instead.
    expect(r.people.every((p) => p.overTargetHours === 0)).toBe(true)
    expect(r.assignments.map((a) => a.candidate)).toEqual(['ana', 'ben'])
  })

  it('honours exclusions and leaves a request open only when allowed and cheaper than staffing it', async () => {
    const excluded = {
      ...base(),
      exclusions: [
        { request: 'react-lead', candidate: 'ana' },
        { request: 'react-lead', candidate: 'ben' },
      ],
    }
    expect(await planStaffing(excluded)).toMatchObject({ feasible: false, proven: true })
    const open = await planStaffing({ ...excluded, unfilledPenalty: 5 })
    if (!open.feasible) throw new Error(open.message)
    expect(open.assignments[0]).toMatchObject({ request: 'react-lead', candidate: null })
    expect(open.objective.unfilled).toBeCloseTo(80 / 120)
  })

  it("scores any staffing on the optimum's scale, so alternatives compare with it", async () => {
    const problem = { ...base(), weights: { cost: 1, skillFit: 1, utilisation: 1 }, unfilledPenalty: 10 }
    const best = await planStaffing(problem)
    if (!best.feasible) throw new Error(best.message)
    expect(best.bound).toBeLessThanOrEqual(best.objective.total + 1e-9)
    const same = scoreStaffing(
      problem,
      Object.fromEntries(best.assignments.map((a) => [a.request, a.candidate])),
    )
    if (!same.feasible) throw new Error(same.message)
    expect(same.objective.total).toBeCloseTo(best.objective.total, 9)
    // Every other feasible staffing scores at least the optimum.
    for (const lead of ['ana', 'ben', null])
      for (const dev of ['ana', 'ben', 'cy', null]) {
        const s = scoreStaffing(problem, { 'react-lead': lead, 'react-dev': dev })
        if (s.feasible) expect(s.objective.total).toBeGreaterThanOrEqual(best.objective.total - 1e-9)
      }
    expect(scoreStaffing(problem, { 'react-lead': 'cy', 'react-dev': 'ben' })).toMatchObject({
      feasible: false,
      reason: 'not_a_pair',
    })
    // cy has 40 hours left: the 120-hour request does not fit.
    expect(scoreStaffing(problem, { 'react-lead': 'ana', 'react-dev': 'cy' })).toMatchObject({
      feasible: false,
      reason: 'over_capacity',
    })
    expect(scoreStaffing(base(), { 'react-lead': 'ana' })).toMatchObject({
      feasible: false,
      reason: 'unfilled_not_allowed',
    })
  })
})
