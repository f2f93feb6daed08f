import { describe, expect, it } from 'vitest'
import type { QuoteLine, QuoteVersion } from './api/types'
import { diffVersions } from './quote-diff'

const line = (id: string, role: string, likely: string, extra: Partial<QuoteLine> = {}): QuoteLine => ({
  id,
  role_id: role,
  role: { id: role, name: role === 'dev' ? 'Developer' : 'Designer' },
  sort_order: 1,
  description: null,
  optimistic_hours: '10',
  likely_hours: likely,
  pessimistic_hours: '200',
  cost_rate_minor: '6000',
  bill_rate_minor: '15000',
  expected_hours: '0',
  line_cost_minor: '0',
  line_list_minor: '0',
  ...extra,
})

const version = (n: number, lines: QuoteLine[], extra: Partial<QuoteVersion> = {}): QuoteVersion => ({
  id: `v${n}`,
  version_number: n,
  pricing_model: 'time_and_materials',
  currency: 'USD',
  contingency_pct: '10.00',
  target_margin_pct: '30.00',
  discount_pct: '0.00',
  cost_minor: '100',
  price_minor: '200',
  margin_pct: '50.00',
  p50_price_minor: '190',
  p80_price_minor: '220',
  p90_price_minor: '240',
  expected_hours: '10',
  notes: null,
  created_at: '2026-11-01T00:00:00Z',
  created_by: null,
  rate_card_id: null,
  lines,
  ...extra,
})

describe('diffVersions', () => {
  it('names changed terms, totals and lines, matching lines by role and description', () => {
    const before = version(1, [line('a', 'dev', '100'), line('b', 'design', '40')])
    const after = version(
      2,
      [line('c', 'dev', '120', { bill_rate_minor: '16000' }), line('d', 'dev', '8', { description: 'QA' })],
      {
        discount_pct: '5',
        price_minor: '230',
      },
    )
    const diff = diffVersions(before, after)
    expect(diff.terms).toEqual([{ field: 'discount_pct', before: '0.00', after: '5' }])
    expect(diff.totals).toEqual([{ field: 'price_minor', before: '200', after: '230' }])
    expect(diff.lines).toEqual([
      {
        kind: 'changed',
        label: 'Developer',
        changes: [
          { field: 'likely_hours', before: '100', after: '120' },
          { field: 'bill_rate_minor', before: '15000', after: '16000' },
        ],
      },
      { kind: 'added', label: 'Developer: QA', changes: [] },
      { kind: 'removed', label: 'Designer', changes: [] },
    ])
  })

  it('treats 10 and 10.00 as the same value', () => {
    const a = version(1, [line('a', 'dev', '100')])
    const b = version(2, [line('b', 'dev', '100.00')], { contingency_pct: '10' })
    expect(diffVersions(a, b)).toEqual({ terms: [], totals: [], lines: [] })
  })
})
