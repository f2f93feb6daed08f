import type { HoursLine, PlaybookInput } from '@psa/agent-models'

/** A line as the pricing tools take it: one estimate, or the three points when the request gave a range. */
export function lineInput(l: HoursLine): Record<string, string | number> {
  const role = l.role?.knownRole as string
  return l.range
    ? {
        role,
        optimistic_hours: l.range.optimistic,
        likely_hours: l.range.likely,
        pessimistic_hours: l.range.pessimistic,
      }
    : { role, hours: l.hours }
}

/** The pricing terms the request named: margin target or floor, markup, discount, contingency, model, term. */
export function terms(input: PlaybookInput) {
  const u = input.understanding
  const target = u.summary.margin ?? u.summary.marginFloor
  const months = u.durations.find((d) => d.unit === 'month' || d.unit === 'year')
  return {
    ...(target !== null && { target_margin_pct: target }),
    ...(u.summary.marginFloor !== null && { margin_floor_pct: u.summary.marginFloor }),
    ...(u.summary.markup !== null && { markup_pct: u.summary.markup }),
    ...(u.summary.discount !== null && { discount_pct: u.summary.discount }),
    ...(u.summary.contingency !== null && { contingency_pct: u.summary.contingency }),
    ...(u.flags.billingModel && { pricing_model: u.flags.billingModel }),
    ...(u.flags.billingModel === 'retainer' &&
      months && { retainer_months: Math.round(months.unit === 'year' ? months.value * 12 : months.value) }),
  }
}
