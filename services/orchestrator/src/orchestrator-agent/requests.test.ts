import { understand } from '@psa/agent-models'
import { describe, expect, it } from 'vitest'
import { planningRequest, quoteModifiers, quoteRequest, staffingRequest, type Work } from './requests.js'
import { MODEL_CONTEXT } from './test-context.js'

const read = (text: string, agentType: 'orchestrator' | 'project_management' | 'resourcing' | 'quotes') =>
  understand(text, MODEL_CONTEXT, { agentType })

const plan: Work = {
  starts_on: '2027-01-05',
  ends_on: '2027-03-26',
  roles: [
    { role: 'Senior Developer', hours: 320, starts_on: '2027-01-25', ends_on: '2027-03-19' },
    { role: 'Change Coordinator', hours: 130, starts_on: '2027-01-05', ends_on: '2027-01-29' },
    { role: 'Designer', hours: 120.5, starts_on: '2027-01-18', ends_on: '2027-02-19' },
    { role: 'Lead Developer', hours: 110, starts_on: '2027-01-05', ends_on: '2027-03-26' },
    { role: 'Engagement Director', hours: 12, starts_on: '2027-01-05', ends_on: '2027-03-26' },
    { role: 'QA Engineer', hours: 96, starts_on: '2027-02-15', ends_on: '2027-03-26' },
  ],
}

describe('planning request', () => {
  it('carries the client, length, start, budget and pricing model, and reads back as the same plan', () => {
    const u = read(
      'Set up, staff and quote a 12-week website rebuild for Acme starting 5 Jan, budget $150k, fixed fee, at 30% margin',
      'orchestrator',
    )
    const request = planningRequest(u, 'Acme Retail Group')
    expect(request).toBe(
      'Plan a 12-week website rebuild for Acme Retail Group starting 2027-01-05, budget USD 150,000.00, fixed fee',
    )
    const back = read(request, 'project_management')
    expect(back).toMatchObject({ intent: 'plan', subject: { text: 'website rebuild' } })
    expect(back.summary).toMatchObject({ startDate: '2027-01-05', budget: { amountMinor: 15_000_000 } })
    expect(back.summary.client?.name).toBe('Acme Retail Group')
    expect(back.summary.duration?.weeks).toBe(12)
    expect(back.flags.billingModel).toBe('fixed_fee')
  })

  it('uses the period when the user gave an end date instead of a length', () => {
    const u = read('Set up, staff and quote the Acme rebuild from 5 Jan 2027 to 26 Mar 2027', 'orchestrator')
    const request = planningRequest(u, 'Acme Retail Group')
    expect(request).toBe('Plan a rebuild for Acme Retail Group from 2027-01-05 to 2027-03-26')
    expect(read(request, 'project_management').summary).toMatchObject({
      startDate: '2027-01-05',
      endDate: '2027-03-26',
    })
  })
})

describe('staffing request', () => {
  it('names the roles with the most hours the resourcing agent reads, the first with its weekly load', () => {
    const staffing = staffingRequest(plan, MODEL_CONTEXT)
    expect(staffing).toEqual({
      request:
        'Who can staff a Senior Developer at 27 hours a week, a Designer and a Lead Developer from 2027-01-05 to 2027-03-26?',
      roles: ['Senior Developer', 'Designer', 'Lead Developer'],
      from: '2027-01-05',
      to: '2027-03-26',
      lead: { role: 'Senior Developer', people: 1, hoursPerWeek: 27 },
      unreadable: ['Change Coordinator', 'Engagement Director'],
    })
    const back = read(staffing?.request as string, 'resourcing')
    expect(back.intent).toBe('find_candidates')
    expect(back.roles.map((r) => r.knownRole)).toEqual(['Senior Developer', 'Designer', 'Lead Developer'])
    expect(back.hours).toMatchObject([{ hours: 27, per: 'week', role: { knownRole: 'Senior Developer' } }])
    expect(back.summary.period).toEqual({ from: '2027-01-05', to: '2027-03-26' })
    // The client is left out: naming it sends the resourcing agent to the client's other projects' requests.
    expect(back.summary.client).toBeNull()
  })

  it('splits a load heavier than one person between people of the role', () => {
    const heavy: Work = {
      starts_on: '2027-01-04',
      ends_on: '2027-01-29',
      roles: [{ role: 'Senior Developer', hours: 400, starts_on: null, ends_on: null }],
    }
    expect(staffingRequest(heavy, MODEL_CONTEXT)).toMatchObject({
      request: 'Who can staff a Senior Developer at 33 hours a week from 2027-01-04 to 2027-01-29?',
      lead: { role: 'Senior Developer', people: 3, hoursPerWeek: 33 },
    })
  })

  it('is null when no role can be read or no period is known', () => {
    expect(
      staffingRequest(
        { ...plan, roles: plan.roles.filter((r) => r.role === 'Change Coordinator') },
        MODEL_CONTEXT,
      ),
    ).toBeNull()
    expect(
      staffingRequest(
        {
          starts_on: null,
          ends_on: null,
          roles: [{ role: 'Designer', hours: 10, starts_on: null, ends_on: null }],
        },
        MODEL_CONTEXT,
      ),
    ).toBeNull()
  })
})

describe('quote request', () => {
  it('prices every readable line with the margin, discount, contingency, rate card and pricing model asked for', () => {
    const u = read(
      'Set up, staff and quote a 12-week rebuild for Acme starting 5 Jan at 30% margin, 5% discount, 10% contingency, client rate card, fixed fee',
      'orchestrator',
    )
    const quote = quoteRequest(plan, 'Acme Retail Group', quoteModifiers(u), MODEL_CONTEXT)
    expect(quote?.request).toBe(
      'Quote 320h Senior Developer + 120.5h Designer + 110h Lead Developer + 96h QA Engineer for Acme Retail Group at 30% margin, 5% discount, 10% contingency, client rate card, fixed fee',
    )
    expect(quote?.unreadable).toEqual([
      { role: 'Change Coordinator', hours: 130 },
      { role: 'Engagement Director', hours: 12 },
    ])
    const back = read(quote?.request as string, 'quotes')
    expect(back.intent).toBe('quote')
    expect(back.hours.map((h) => [h.hours, h.role?.knownRole])).toEqual([
      [320, 'Senior Developer'],
      [120.5, 'Designer'],
      [110, 'Lead Developer'],
      [96, 'QA Engineer'],
    ])
    expect(back.summary).toMatchObject({ margin: 30, discount: 5, contingency: 10 })
    expect(back.summary.client?.name).toBe('Acme Retail Group')
    expect(back.flags).toMatchObject({ clientRateCard: true, billingModel: 'fixed_fee' })
  })

  it('leaves out what the user did not ask for, and is null when nothing can be priced', () => {
    const none = { margin: null, discount: null, contingency: null, rateCard: null, billingModel: null }
    expect(quoteRequest(plan, 'Acme Retail Group', none, MODEL_CONTEXT)?.request).toBe(
      'Quote 320h Senior Developer + 120.5h Designer + 110h Lead Developer + 96h QA Engineer for Acme Retail Group',
    )
    expect(
      quoteRequest({ ...plan, roles: plan.roles.slice(1, 2) }, 'Acme Retail Group', none, MODEL_CONTEXT),
    ).toBeNull()
  })
})
