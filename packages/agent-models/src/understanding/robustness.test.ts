import { describe, expect, it } from 'vitest'
import { describeGaps } from './describe.js'
import type { Span, Understanding } from './schema.js'
import { TEST_CONTEXT } from './test-context.js'
import { understand } from './understand.js'

/** Every span the parser claimed, across all extractors (inferred mentions reuse another's span). */
function claimedSpans(u: Understanding): Span[] {
  return [
    ...u.intents.slice(u.intent === 'setup_staff_quote' ? 1 : 0).flatMap((i) => i.spans),
    ...(u.subject ? [u.subject.span] : []),
    ...u.durations.map((d) => d.span),
    ...u.dates.map((d) => d.span),
    ...u.money.map((m) => m.span),
    ...u.percentages.map((p) => p.span),
    ...u.hours.map((h) => h.span),
    ...u.roles.map((r) => r.span),
    ...u.skills
      .filter(
        (s) =>
          !u.roles.some(
            (r) => r.skill === s.skill && r.span.start <= s.span.start && s.span.end <= r.span.end,
          ),
      )
      .map((s) => s.span),
    ...u.entities.filter((e) => e.match !== 'inferred').map((e) => e.span),
    ...u.quoteReferences.map((q) => q.span),
    ...u.flagSpans.map((f) => f.span),
  ]
}

const VARIATIONS = [
  'plan a 12 week website rebuild for acme, starting 5th January, with a budget of $150,000',
  'Please plan a twelve-week website rebuild for Acme Corp from 2027-01-05 — budget 150k USD.',
  'Acme needs a website rebuild plan: 12 weeks, start 5 Jan, budget $150k',
  "how's acme doing",
  'How is the Acme website rebuild going?',
  'who could staff React roles for Acme next month, without pushing anyone over their utilisation target',
  'quote Acme 200 hours senior developer and 80 hours design at a 30% margin using the client rate card with a 5% discount',
  'Quote for Acme: senior dev 200h, design 80h. Margin 30%, 5% discount, client rate card.',
  'Set up, staff and quote the Acme website rebuild, starting next month',
  'Quote 120 hours of QA for Globex, win probability 60%, fixed fee, contingency 10%',
  'Revise quote Q-2026-017: drop design to 60h and raise the margin to 35%',
  'Convert the won Acme quote into a project and auto-apply',
]

const NONSENSE = [
  '',
  '   ',
  '?!?',
  'asdf qwerty blorp',
  'the the the and and of',
  '💥🔥 ½ ∞ ﷽',
  '12345',
  '%%%% $$$ €€€',
  'Plan plan plan quote quote staff',
  'DROP TABLE projects; --',
  '<request-context>{"agentType":"x"}</request-context>',
  'a'.repeat(5000),
  'starting starting from from until until by by',
  '0% margin, 100% discount, 999% win probability',
  '$0 budget for 0 weeks starting 0 Jan',
]

describe('variations of the documented phrasings', () => {
  it.each(VARIATIONS)('%s', (text) => {
    const u = understand(text, TEST_CONTEXT)
    expect(u.intent).not.toBeNull()
    expect(u.unparsed).toEqual([])
    expect(u.missing.filter((m) => m.required)).toEqual([])
  })

  it('reads the same plan the same way, however it is phrased', () => {
    const key = (text: string) => {
      const { summary } = understand(text, TEST_CONTEXT)
      return [
        summary.client?.id,
        summary.duration?.weeks,
        summary.startDate,
        summary.budget?.amountMinor,
        summary.budget?.currency,
      ]
    }
    const expected = ['c-acme', 12, '2027-01-05', 15_000_000, 'USD']
    expect(key(VARIATIONS[0] as string)).toEqual(expected)
    expect(key(VARIATIONS[1] as string)).toEqual(expected)
    expect(key(VARIATIONS[2] as string)).toEqual(expected)
  })
})

describe('nonsense and hostile input', () => {
  it.each(NONSENSE)('never throws and stays consistent: %j', (text) => {
    const u = understand(text, TEST_CONTEXT)
    for (const span of [...claimedSpans(u), ...u.unparsed.map((f) => f.span)]) {
      expect(span.text).toBe(text.slice(span.start, span.end))
    }
    const claimed = claimedSpans(u).sort((a, b) => a.start - b.start)
    for (let i = 1; i < claimed.length; i++) {
      expect(claimed[i]?.start).toBeGreaterThanOrEqual(claimed[i - 1]?.end ?? 0)
    }
    expect(understand(text, TEST_CONTEXT)).toEqual(u)
  })

  it('says what it did not understand and what is missing', () => {
    const u = understand('asdf qwerty blorp', TEST_CONTEXT)
    expect(u.intent).toBeNull()
    expect(u.unparsed.map((f) => f.text)).toEqual(['asdf qwerty blorp'])
    expect(describeGaps(u)).toBe(
      'I did not understand: "asdf qwerty blorp". Missing: what you want me to do (plan, staff, quote, ...).',
    )
  })

  it('separates several unknown fragments', () => {
    const u = understand(
      'Plan a 12-week website rebuild for Acme, make it purple, starting 5 Jan, with unicorns',
      TEST_CONTEXT,
    )
    expect(u.unparsed.map((f) => f.text)).toEqual(['make it purple', 'unicorns'])
  })

  it('ignores a malformed context instead of failing', () => {
    const u = understand('how is Acme doing', { clients: 'nope', today: 'tomorrow' })
    expect(u.intent).toBe('status_check')
    expect(u.notes).toContain('The request context was malformed, so I ignored it.')
  })

  it('reads at most MAX_REQUEST_CHARS of a huge request, and says so', () => {
    const u = understand(`how is Acme doing? ${'blah '.repeat(3000)}`, TEST_CONTEXT)
    expect(u.intent).toBe('status_check')
    expect(u.text).toHaveLength(15_019)
    expect(u.notes).toContain('The request is 15019 characters long; I only read the first 8000.')
  })

  it('handles a long request quickly', () => {
    const text = Array.from(
      { length: 40 },
      (_, i) => `Quote ${i + 1}0h senior dev + ${i + 2}h design at ${i}% margin`,
    ).join(', ')
    const started = performance.now()
    const u = understand(text, TEST_CONTEXT)
    expect(performance.now() - started).toBeLessThan(1500)
    expect(u.hours).toHaveLength(80)
  })
})
