import type { QuoteLine, QuoteVersion } from './api/types'

export interface FieldChange {
  field: string
  before: string
  after: string
}

export interface LineChange {
  kind: 'added' | 'removed' | 'changed'
  label: string
  changes: FieldChange[]
}

export interface VersionDiff {
  terms: FieldChange[]
  totals: FieldChange[]
  lines: LineChange[]
}

const TERMS = ['pricing_model', 'contingency_pct', 'target_margin_pct', 'discount_pct'] as const
const TOTALS = [
  'cost_minor',
  'price_minor',
  'margin_pct',
  'p50_price_minor',
  'p80_price_minor',
  'p90_price_minor',
] as const
const LINE_FIELDS = [
  'optimistic_hours',
  'likely_hours',
  'pessimistic_hours',
  'cost_rate_minor',
  'bill_rate_minor',
] as const

const lineKey = (l: QuoteLine) => `${l.role.id}|${(l.description ?? '').trim().toLowerCase()}`
const lineLabel = (l: QuoteLine) => (l.description ? `${l.role.name}: ${l.description}` : l.role.name)
const same = (a: unknown, b: unknown) => Number(a) === Number(b) || String(a ?? '') === String(b ?? '')

function fieldChanges<T extends object>(
  before: T,
  after: T,
  fields: readonly (keyof T & string)[],
): FieldChange[] {
  return fields
    .filter((f) => !same(before[f], after[f]))
    .map((f) => ({ field: f, before: String(before[f] ?? ''), after: String(after[f] ?? '') }))
}

/** What changed from one quote version to the next: terms, totals, and lines matched by role and description. */
export function diffVersions(before: QuoteVersion, after: QuoteVersion): VersionDiff {
  const old = new Map(before.lines.map((l) => [lineKey(l), l]))
  const seen = new Set<string>()
  const lines: LineChange[] = []
  for (const line of after.lines) {
    const key = lineKey(line)
    const previous = old.get(key)
    seen.add(key)
    if (!previous) {
      lines.push({ kind: 'added', label: lineLabel(line), changes: [] })
      continue
    }
    const changes = fieldChanges(previous, line, LINE_FIELDS)
    if (changes.length > 0) lines.push({ kind: 'changed', label: lineLabel(line), changes })
  }
  for (const [key, line] of old)
    if (!seen.has(key)) lines.push({ kind: 'removed', label: lineLabel(line), changes: [] })
  return { terms: fieldChanges(before, after, TERMS), totals: fieldChanges(before, after, TOTALS), lines }
}
