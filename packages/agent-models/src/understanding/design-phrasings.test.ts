import { describe, expect, it } from 'vitest'
import { describeGaps, describeUnderstanding } from './describe.js'
import { TEST_CONTEXT } from './test-context.js'
import { understand } from './understand.js'

// The request phrasings documented in DESIGN.md §1, verbatim.
describe('DESIGN §1 phrasings', () => {
  it('Plan a 12-week website rebuild for Acme starting 5 Jan, budget $150k', () => {
    const u = understand('Plan a 12-week website rebuild for Acme starting 5 Jan, budget $150k', TEST_CONTEXT)
    expect(u.intent).toBe('plan')
    expect(u.agentType).toBe('project_management')
    expect(u.summary.client).toMatchObject({ id: 'c-acme', name: 'Acme Corp', match: 'exact' })
    expect(u.summary.duration).toMatchObject({ value: 12, unit: 'week', weeks: 12 })
    expect(u.summary.startDate).toBe('2027-01-05')
    expect(u.summary.budget).toMatchObject({ amountMinor: 15_000_000, currency: 'USD', role: 'budget' })
    expect(u.subject?.text).toBe('website rebuild')
    expect(u.unparsed).toEqual([])
    expect(u.missing).toEqual([])
    expect(u.notes).toEqual(['"5 Jan" has no year; I took the next one: 2027-01-05.'])
    expect(u.dates[0]?.span.text).toBe('starting 5 Jan')
    expect(u.money[0]?.span.text).toBe('budget $150k')
  })

  it('how is Acme doing?', () => {
    const u = understand('how is Acme doing?', TEST_CONTEXT)
    expect(u.intent).toBe('status_check')
    expect(u.agentType).toBe('project_management')
    expect(u.summary.client?.name).toBe('Acme Corp')
    expect(u.intents[0]?.spans.map((s) => s.text)).toEqual(['how is', 'doing'])
    expect(u.unparsed).toEqual([])
    expect(u.missing).toEqual([])
  })

  it("Who can staff Acme's React roles next month without pushing anyone past their utilisation target?", () => {
    const u = understand(
      "Who can staff Acme's React roles next month without pushing anyone past their utilisation target?",
      TEST_CONTEXT,
    )
    expect(u.intent).toBe('find_candidates')
    expect(u.agentType).toBe('resourcing')
    expect(u.intents.map((i) => i.intent)).toEqual(['find_candidates', 'staff'])
    expect(u.summary.client?.name).toBe('Acme Corp')
    expect(u.entities[0]?.span.text).toBe("Acme's")
    expect(u.skills.map((s) => s.skill)).toEqual(['React'])
    expect(u.roles).toHaveLength(1)
    expect(u.roles[0]).toMatchObject({ role: null, skill: 'React', span: { text: 'React roles' } })
    expect(u.summary.period).toEqual({ from: '2026-12-01', to: '2026-12-31' })
    expect(u.flags.respectUtilisationTarget).toBe(true)
    expect(u.unparsed).toEqual([])
    expect(u.missing).toEqual([])
  })

  it('Quote 200h senior dev + 80h design at 30% margin, client rate card, 5% discount', () => {
    const u = understand('Quote 200h senior dev + 80h design at 30% margin, client rate card, 5% discount', {
      ...TEST_CONTEXT,
      clientId: 'c-acme',
    })
    expect(u.intent).toBe('quote')
    expect(u.agentType).toBe('quotes')
    expect(u.hours.map((h) => [h.hours, h.role?.role, h.role?.level, h.role?.knownRole])).toEqual([
      [200, 'developer', 'senior', 'Senior Developer'],
      [80, 'designer', null, 'Designer'],
    ])
    expect(u.summary.totalHours).toBe(280)
    expect(u.summary.margin).toBe(30)
    expect(u.summary.discount).toBe(5)
    expect(u.flags.clientRateCard).toBe(true)
    expect(u.percentages.map((p) => p.span.text)).toEqual(['30% margin', '5% discount'])
    expect(u.unparsed).toEqual([])
    expect(u.missing).toEqual([])
  })

  it('asks which client when a client rate card is requested with no client anywhere', () => {
    const u = understand(
      'Quote 200h senior dev + 80h design at 30% margin, client rate card, 5% discount',
      TEST_CONTEXT,
    )
    expect(u.missing).toEqual([
      { field: 'client', message: "which client's rate card to use", required: true },
    ])
    expect(describeGaps(u)).toContain("Missing: which client's rate card to use.")
  })

  it('set up, staff and quote the Acme rebuild', () => {
    const u = understand('set up, staff and quote the Acme rebuild', TEST_CONTEXT)
    expect(u.intent).toBe('setup_staff_quote')
    expect(u.agentType).toBe('orchestrator')
    expect(u.intents.map((i) => i.intent)).toEqual(['setup_staff_quote', 'plan', 'staff', 'quote'])
    expect(u.summary.project).toMatchObject({
      id: 'p-acme-web',
      match: 'partial',
      span: { text: 'Acme rebuild' },
    })
    expect(u.summary.client).toMatchObject({ id: 'c-acme', match: 'inferred' })
    expect(u.unparsed).toEqual([])
    expect(u.missing).toEqual([])
  })

  it('describes what it understood in one sentence', () => {
    const u = understand('Plan a 12-week website rebuild for Acme starting 5 Jan, budget $150k', TEST_CONTEXT)
    expect(describeUnderstanding(u)).toBe(
      'I read this as a request to plan a project: client Acme Corp; "website rebuild"; 12 weeks; starting 2027-01-05; budget USD 150,000.00.',
    )
  })
})
