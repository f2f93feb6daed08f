import { describe, expect, it } from 'vitest'
import { createFormatter, humanize } from './format'

describe('createFormatter', () => {
  it('formats minor units in the organisation’s currency and locale', () => {
    const usd = createFormatter('en-US', 'USD')
    expect(usd.money('15000000')).toBe('$150,000.00')
    expect(usd.money(123456, { compact: true })).toBe('$1.2K')
    expect(usd.money(null)).toBe('—')
    const eur = createFormatter('de-DE', 'EUR')
    expect(eur.money('1234567')).toBe('12.345,67\u00a0€')
    // Yen have no minor unit: the amount is whole yen.
    expect(createFormatter('ja-JP', 'JPY').money('5000')).toBe('￥5,000')
  })

  it('formats percentages given in percent, hours and calendar dates without shifting them a day', () => {
    const f = createFormatter('en-GB', 'GBP')
    expect(f.pct('91.3')).toBe('91.3%')
    expect(f.pct(80, 0)).toBe('80%')
    expect(f.hours('37.50')).toBe('37.5 h')
    expect(f.date('2026-01-05')).toBe('5 Jan 2026')
    expect(f.date('2026-01-05', 'short')).toBe('5 Jan')
    expect(createFormatter('de-DE', 'EUR').pct('12.5')).toBe('12,5\u00a0%')
  })

  it('says how long ago an instant was', () => {
    const f = createFormatter('en-US', 'USD')
    const now = Date.parse('2026-11-25T12:00:00Z')
    expect(f.relative('2026-11-25T11:57:00Z', now)).toBe('3 minutes ago')
    expect(f.relative('2026-11-24T12:00:00Z', now)).toBe('yesterday')
  })
})

describe('humanize', () => {
  it('turns column names into words', () => {
    expect(humanize('hours_per_week')).toBe('Hours per week')
    expect(humanize('price_minor')).toBe('Price')
    expect(humanize('margin_pct')).toBe('Margin %')
  })
})
