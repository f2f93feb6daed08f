import { describe, expect, it } from 'vitest'
import { formatMoney } from './money.js'
import { scaleDecimal } from './numbers.js'
import { TEST_CONTEXT } from './test-context.js'
import { understand } from './understand.js'

const u = (text: string, context = TEST_CONTEXT) => understand(text, context)

describe('durations', () => {
  it.each([
    ['a 12-week rebuild', 12, 'week', 12],
    ['for 3 months', 3, 'month', 13],
    ['six weeks', 6, 'week', 6],
    ['a twelve-week project', 12, 'week', 12],
    ['twenty-four weeks', 24, 'week', 24],
    ['a month', 1, 'month', 4.33],
    ['10 working days', 10, 'day', 2],
    ['14 days', 14, 'day', 2],
    ['a fortnight', 2, 'week', 2],
    ['1.5 years', 1.5, 'year', 78],
    ['6wks', 6, 'week', 6],
    ['over roughly 8 weeks', 8, 'week', 8],
    ['deliver in 12 weeks', 12, 'week', 12],
  ])('%s', (text, value, unit, weeks) => {
    const { durations } = u(text)
    expect(durations).toHaveLength(1)
    expect(durations[0]).toMatchObject({ value, unit, weeks })
  })

  it('does not read "40 hours a week" as a one-week duration', () => {
    const result = u('Who is free for 40 hours a week?')
    expect(result.durations).toEqual([])
    expect(result.hours[0]).toMatchObject({ hours: 40, per: 'week' })
  })
})

describe('money', () => {
  it.each([
    ['budget $150k', 15_000_000, 'USD', 'budget'],
    ['€80,000', 8_000_000, 'EUR', 'unspecified'],
    ['150000 USD', 15_000_000, 'USD', 'unspecified'],
    ['USD 150,000', 15_000_000, 'USD', 'unspecified'],
    ['£1.2m', 120_000_000, 'GBP', 'unspecified'],
    ['a budget of 150,000 dollars', 15_000_000, 'USD', 'budget'],
    ['150k euros', 15_000_000, 'EUR', 'unspecified'],
    ['$150k budget', 15_000_000, 'USD', 'budget'],
    ['150k budget', 15_000_000, null, 'budget'],
    ['budget: 99.99 GBP', 9_999, 'GBP', 'budget'],
    ['capped at $0.1m', 10_000_000, 'USD', 'budget'],
    ['fixed price of €45,500.50', 4_550_050, 'EUR', 'price'],
    ['¥1,000,000', 1_000_000, 'JPY', 'unspecified'],
  ])('%s', (text, amountMinor, currency, role) => {
    const { money } = u(text, { ...TEST_CONTEXT })
    expect(money).toHaveLength(1)
    expect(money[0]).toMatchObject({ amountMinor, currency, role })
  })

  it('reads rates per hour and per day', () => {
    const { money } = u('bill rate $120/h, or €900 per day')
    expect(money.map((m) => [m.amountMinor, m.currency, m.role, m.per])).toEqual([
      [12_000, 'USD', 'rate', 'hour'],
      [90_000, 'EUR', 'rate', 'day'],
    ])
  })

  it('reads "$" as the organisation dollar and bare amounts in its currency', () => {
    const aud = { ...TEST_CONTEXT, currency: 'AUD' }
    expect(u('budget $150k', aud).money[0]?.currency).toBe('AUD')
    expect(u('budget 150k', aud).money[0]?.currency).toBe('AUD')
    expect(u('budget €150k', aud).money[0]?.currency).toBe('EUR')
  })

  it('says when an amount has no currency', () => {
    const result = u('Plan Acme, 6 weeks, budget 150k')
    expect(result.money[0]?.currency).toBeNull()
    expect(result.notes).toContain('No currency given for "budget 150k"; the amount is kept without one.')
  })

  it('never uses floating point for amounts', () => {
    expect(scaleDecimal('0.1', 5)).toBe(10_000)
    expect(scaleDecimal('1.005', 2)).toBe(101)
    expect(scaleDecimal('19.99', 2)).toBe(1999)
    expect(scaleDecimal('1,234,567.891', 2)).toBe(123_456_789)
    expect(scaleDecimal('abc', 2)).toBeNull()
    expect(formatMoney({ amountMinor: 15_000_050, currency: 'USD' })).toBe('USD 150,000.50')
    expect(formatMoney({ amountMinor: 1_000_000, currency: 'JPY' })).toBe('JPY 1,000,000')
  })
})

describe('percentages', () => {
  it.each([
    ['30% margin', 30, 'margin'],
    ['at a 30% margin', 30, 'margin'],
    ['margin of 30%', 30, 'margin'],
    ['target margin 32.5%', 32.5, 'margin'],
    ['5% discount', 5, 'discount'],
    ['discount: 5%', 5, 'discount'],
    ['10% off', 10, 'discount'],
    ['win probability 60%', 60, 'win_probability'],
    ['60% chance of winning', 60, 'win_probability'],
    ['probability of 60%', 60, 'win_probability'],
    ['15% contingency', 15, 'contingency'],
    ['a contingency of 15 percent', 15, 'contingency'],
    ['20% markup', 20, 'markup'],
    ['utilisation target 85%', 85, 'utilisation'],
    ['80% utilization', 80, 'utilisation'],
    ['about 40%', 40, 'unspecified'],
  ])('%s', (text, value, role) => {
    const { percentages } = u(text)
    expect(percentages).toHaveLength(1)
    expect(percentages[0]).toMatchObject({ value, role })
  })

  it('keeps each role word with its own figure', () => {
    const { summary } = u('30% margin, 5% discount, win probability 60%, 10% contingency')
    expect(summary).toMatchObject({ margin: 30, discount: 5, winProbability: 60, contingency: 10 })
  })
})

describe('hours per role', () => {
  it.each([
    [
      '200h senior dev + 80h design',
      [
        [200, 'developer', 'senior'],
        [80, 'designer', null],
      ],
    ],
    ['120 hours of QA', [[120, 'qa', null]]],
    [
      '40h of frontend dev and 16 hrs of project management',
      [
        [40, 'developer', null],
        [16, 'project_manager', null],
      ],
    ],
    [
      'senior dev 200h, design 80h',
      [
        [200, 'developer', 'senior'],
        [80, 'designer', null],
      ],
    ],
    ['QA for 120 hours', [[120, 'qa', null]]],
    [
      '100 hours junior developer, 20 h BA',
      [
        [100, 'developer', 'junior'],
        [20, 'business_analyst', null],
      ],
    ],
    ['sixty hours of UX', [[60, 'designer', null]]],
    ['an hour of tech lead', [[1, 'developer', 'lead']]],
  ])('%s', (text, expected) => {
    const { hours } = u(text)
    expect(hours.map((h) => [h.hours, h.role?.role, h.role?.level])).toEqual(expected)
  })

  it('notes hours that belong to no role', () => {
    const result = u('Quote 120 hours')
    expect(result.hours[0]?.role).toBeNull()
    expect(result.missing).toContainEqual({
      field: 'hours.role',
      message: 'which role the 120 hours is for',
      required: true,
    })
  })

  it('keeps skills and specialisms on the role', () => {
    const { roles } = u('Quote 40h of React frontend developer')
    expect(roles[0]).toMatchObject({ role: 'developer', specialism: 'frontend', skill: null })
    const { roles: withSkill } = u('find 2 senior React developers')
    expect(withSkill[0]).toMatchObject({
      role: 'developer',
      level: 'senior',
      skill: 'React',
      count: 2,
      knownRole: 'Senior Developer',
    })
  })

  it('maps roles onto the organisation role names', () => {
    const { roles } = u('two QA testers, a designer and a PM')
    expect(roles.map((r) => [r.role, r.count, r.knownRole])).toEqual([
      ['qa', 2, 'QA Engineer'],
      ['designer', null, 'Designer'],
      ['project_manager', null, 'Project Manager'],
    ])
  })
})
