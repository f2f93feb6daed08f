import { describe, expect, it } from 'vitest'
import { TEST_CONTEXT } from './test-context.js'
import { understand } from './understand.js'

// Today is Wednesday 2026-11-25.
const dates = (text: string, context = TEST_CONTEXT) => understand(text, context).dates

describe('start dates and periods', () => {
  it.each([
    ['starting 5 Jan', 'start', '2027-01-05', '2027-01-05'],
    ['from 2027-01-05', 'start', '2027-01-05', '2027-01-05'],
    ['start on 05/01/2027', 'start', '2027-01-05', '2027-01-05'],
    ['kick off on 5.1.2027', 'start', '2027-01-05', '2027-01-05'],
    ['starting January 5th, 2027', 'start', '2027-01-05', '2027-01-05'],
    ['beginning the 1st of March 2027', 'start', '2027-03-01', '2027-03-01'],
    ['starting 30 Nov', 'start', '2026-11-30', '2026-11-30'],
    ['starting 25 Nov', 'start', '2026-11-25', '2026-11-25'],
    ['starting 24 Nov', 'start', '2027-11-24', '2027-11-24'],
    ['starting next Monday', 'start', '2026-11-30', '2026-11-30'],
    ['starting this Friday', 'start', '2026-11-27', '2026-11-27'],
    ['starting Wednesday', 'start', '2026-12-02', '2026-12-02'],
    ['starting tomorrow', 'start', '2026-11-26', '2026-11-26'],
    ['starting today', 'start', '2026-11-25', '2026-11-25'],
    ['starting next month', 'start', '2026-12-01', '2026-12-31'],
    ['starting in two weeks', 'start', '2026-12-09', '2026-12-09'],
    ['starting in a month', 'start', '2026-12-25', '2026-12-25'],
    ['start three weeks from now', 'start', '2026-12-16', '2026-12-16'],
    ['from mid-January', 'start', '2027-01-15', '2027-01-15'],
    ['starting early February', 'start', '2027-02-01', '2027-02-01'],
    ['starting in March', 'start', '2027-03-01', '2027-03-31'],
    ['from May', 'start', '2027-05-01', '2027-05-31'],
    ['next week', 'unspecified', '2026-11-30', '2026-12-06'],
    ['this month', 'unspecified', '2026-11-01', '2026-11-30'],
    ['next quarter', 'unspecified', '2027-01-01', '2027-03-31'],
    ['next year', 'unspecified', '2027-01-01', '2027-12-31'],
    ['over the next 3 months', 'unspecified', '2026-11-25', '2027-02-24'],
    ['the next two weeks', 'unspecified', '2026-11-25', '2026-12-08'],
    ['in Q1 2027', 'unspecified', '2027-01-01', '2027-03-31'],
    ['in Q3', 'unspecified', '2027-07-01', '2027-09-30'],
    ['January 2027', 'unspecified', '2027-01-01', '2027-01-31'],
    ['by end of March', 'end', '2027-03-31', '2027-03-31'],
    ['due 31/3', 'end', '2027-03-31', '2027-03-31'],
    ['go-live by the end of next month', 'end', '2026-12-31', '2026-12-31'],
    ['until 2027-03-31', 'end', '2027-03-31', '2027-03-31'],
    ['from 5 Jan to 31 Mar', 'period', '2027-01-05', '2027-03-31'],
    ['from Jan 5 to Mar 31', 'period', '2027-01-05', '2027-03-31'],
    ['from 2027-01-05 until 2027-03-31', 'period', '2027-01-05', '2027-03-31'],
    ['between 5 Jan and 31 March', 'period', '2027-01-05', '2027-03-31'],
    ['15 Dec - 20 Jan', 'period', '2026-12-15', '2027-01-20'],
  ])('%s', (text, role, from, to) => {
    const [mention, ...rest] = dates(text)
    expect(rest).toEqual([])
    expect(mention).toMatchObject({ role, from, to })
  })

  it('reads numeric dates month-first for en-US', () => {
    expect(dates('starting 05/01/2027', { ...TEST_CONTEXT, locale: 'en-US' })[0]).toMatchObject({
      from: '2027-05-01',
    })
  })

  it('keeps the whole phrase, including its keyword, as the span', () => {
    expect(dates('Plan it, starting next Monday please')[0]?.span.text).toBe('starting next Monday')
  })

  it('cannot resolve relative dates without today, and says so', () => {
    const u = understand('Staff Acme starting next Monday', { clients: TEST_CONTEXT.clients })
    expect(u.dates[0]).toMatchObject({ role: 'start', from: null, to: null, relative: true })
    expect(u.notes).toContain(
      '"next Monday" needs today\'s date to be resolved, and the request context gave none.',
    )
  })

  it('rejects impossible dates', () => {
    const u = understand('Plan Acme starting 31 Feb', TEST_CONTEXT)
    expect(u.dates[0]).toMatchObject({ from: null })
    expect(u.notes).toContain('"31 Feb" is not a valid date.')
  })

  it.each([
    'we may need help',
    'march the team forward',
    'we offer 24/7 support',
    'Quote 200h senior dev',
    'a 12-week plan',
    'deliver in 12 weeks',
    'juniors are welcome',
    'the market is tough',
  ])('finds no date in "%s"', (text) => {
    expect(dates(text)).toEqual([])
  })

  it('handles "May" as a month when a date word says so', () => {
    expect(dates('start in May')[0]).toMatchObject({ from: '2027-05-01', to: '2027-05-31' })
    expect(dates('starting 3 May')[0]).toMatchObject({ from: '2027-05-03' })
  })
})
