import type { Tx } from '@psa/db'
import { AppError } from '@psa/errors'
import { type PricedLineInput, priceQuote, type QuoteTotals, rateOn, threePoint } from '@psa/pricing'
import { z } from 'zod'

export const quoteLineInput = z
  .object({
    role: z.string().trim().min(1).max(100).optional().describe('Role name, e.g. "Senior Developer"'),
    role_id: z.uuid().optional(),
    description: z.string().max(500).optional(),
    hours: z
      .number()
      .positive()
      .max(100_000)
      .optional()
      .describe('A single estimate (gets a ± uncertainty range)'),
    optimistic_hours: z.number().min(0).max(100_000).optional(),
    likely_hours: z.number().positive().max(100_000).optional(),
    pessimistic_hours: z.number().positive().max(100_000).optional(),
  })
  .refine((l) => l.role || l.role_id, { message: 'each line needs a role or role_id' })
  .refine(
    (l) =>
      l.hours !== undefined ||
      (l.optimistic_hours !== undefined && l.likely_hours !== undefined && l.pessimistic_hours !== undefined),
    {
      message: 'each line needs hours, or optimistic_hours, likely_hours and pessimistic_hours',
    },
  )

export const pricingInput = z.object({
  client_id: z.uuid().optional().describe('The client; its rate card is used unless rate_card is "standard"'),
  lines: z.array(quoteLineInput).min(1).max(50),
  rate_card: z.enum(['client', 'standard']).optional().describe("Default: the client's card when it has one"),
  target_margin_pct: z.number().min(0).max(99.99).optional(),
  discount_pct: z.number().min(0).max(100).optional(),
  contingency_pct: z.number().min(0).max(100).optional(),
  markup_pct: z
    .number()
    .min(0)
    .max(1000)
    .optional()
    .describe('Price each line at cost plus this markup instead of the rate card'),
  margin_floor_pct: z
    .number()
    .min(0)
    .max(99.99)
    .optional()
    .describe(
      'The least margin allowed after discount; a price below it is flagged (and refused by propose_quote)',
    ),
  pricing_model: z.enum(['time_and_materials', 'fixed_fee', 'retainer']).optional(),
  retainer_months: z
    .int()
    .min(1)
    .max(60)
    .optional()
    .describe('Retainer term; the lines are then hours per month'),
  effective_on: z.iso.date().optional().describe('The day whose rates apply (default: the request day)'),
  uncertainty_pct: z
    .number()
    .min(0)
    .max(100)
    .optional()
    .describe('Range given to single estimates (default 15)'),
})
export type PricingInput = z.output<typeof pricingInput>

export interface PricedQuote {
  currency: string
  rateCard: { id: string; name: string; kind: 'client' | 'standard' } | null
  client: { id: string; name: string } | null
  effectiveOn: string
  lines: {
    roleId: string
    role: string
    description: string | null
    optimisticHours: number
    likelyHours: number
    pessimisticHours: number
    costRateMinor: number
    billRateMinor: number
  }[]
  totals: QuoteTotals
  terms: { contingencyPct: number; discountPct: number; targetMarginPct: number | null }
  /** Set when a margin floor was given: whether the price falls below it and the most discount that keeps it. */
  floor: { pct: number; below: boolean; maxDiscountPct: number } | null
  /** Fixed fee: the P80 price, so the estimate spread is carried as a risk premium. */
  fixedFee: { priceMinor: number; riskPremiumMinor: number } | null
  retainer: {
    months: number
    monthlyPriceMinor: number
    totalPriceMinor: number
    monthlyHours: number
  } | null
  notes: string[]
}

/** Resolves roles, the rate card and its rates on the effective day, and prices the lines (as the user). */
export async function priceLines(
  tx: Tx,
  input: PricingInput,
  defaults: { today: string; currency: string },
): Promise<PricedQuote> {
  const notes: string[] = []
  const effectiveOn = input.effective_on ?? defaults.today
  const client = input.client_id
    ? await tx
        .selectFrom('clients')
        .select(['id', 'name', 'default_rate_card_id'])
        .where('id', '=', input.client_id)
        .executeTakeFirst()
    : undefined
  if (input.client_id && !client)
    throw new AppError('NOT_FOUND', 'No such client', { details: { client_id: input.client_id } })

  let card: { id: string; name: string; currency: string; kind: 'client' | 'standard' } | undefined
  if (input.rate_card !== 'standard' && client?.default_rate_card_id) {
    const row = await tx
      .selectFrom('rate_cards')
      .select(['id', 'name', 'currency'])
      .where('id', '=', client.default_rate_card_id)
      .executeTakeFirst()
    if (row) card = { ...row, kind: 'client' }
  }
  if (!card) {
    if (input.rate_card === 'client') {
      notes.push(
        client
          ? `${client.name} has no rate card of its own, so I used the standard one.`
          : 'No client was named, so I used the standard rate card.',
      )
    }
    const row = await tx
      .selectFrom('rate_cards')
      .select(['id', 'name', 'currency'])
      .where('client_id', 'is', null)
      .orderBy('is_default', 'desc')
      .orderBy('name')
      .executeTakeFirst()
    if (row) card = { ...row, kind: 'standard' }
    else notes.push('The organisation has no rate card; I used each role’s own bill rate.')
  }

  const roles = await tx
    .selectFrom('roles')
    .select(['id', 'name', 'cost_rate_minor', 'bill_rate_minor'])
    .execute()
  const byName = new Map(roles.map((r) => [r.name.toLowerCase(), r]))
  const byId = new Map(roles.map((r) => [r.id, r]))
  const unknown = input.lines.filter(
    (l) => !(l.role_id ? byId.get(l.role_id) : byName.get((l.role as string).toLowerCase())),
  )
  if (unknown.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `Unknown role(s): ${unknown.map((l) => l.role ?? l.role_id).join(', ')}. Roles: ${roles.map((r) => r.name).join(', ')}`,
    )
  }
  const cardLines = card
    ? (
        await tx
          .selectFrom('rate_card_lines')
          .select(['role_id', 'bill_rate_minor', 'effective_from', 'effective_to'])
          .where('rate_card_id', '=', card.id)
          .execute()
      ).map((l) => ({
        roleId: l.role_id,
        billRateMinor: Number(l.bill_rate_minor),
        effectiveFrom: l.effective_from,
        effectiveTo: l.effective_to,
      }))
    : []
  const uncertainty = input.uncertainty_pct ?? 15
  const lines = input.lines.map((l) => {
    const role = (
      l.role_id ? byId.get(l.role_id) : byName.get((l.role as string).toLowerCase())
    ) as (typeof roles)[number]
    const cardRate = card ? rateOn(cardLines, role.id, effectiveOn) : null
    if (card && cardRate === null)
      notes.push(`${card.name} has no ${role.name} rate on ${effectiveOn}; I used the role's own rate.`)
    const points =
      l.hours !== undefined
        ? threePoint(l.hours, uncertainty)
        : {
            optimistic: l.optimistic_hours as number,
            likely: l.likely_hours as number,
            pessimistic: l.pessimistic_hours as number,
          }
    if (!(points.optimistic <= points.likely && points.likely <= points.pessimistic)) {
      throw new AppError(
        'VALIDATION_FAILED',
        `The ${role.name} line needs optimistic <= likely <= pessimistic hours`,
      )
    }
    const costRateMinor = Number(role.cost_rate_minor)
    return {
      roleId: role.id,
      role: role.name,
      description: l.description ?? null,
      optimisticHours: points.optimistic,
      likelyHours: points.likely,
      pessimisticHours: points.pessimistic,
      costRateMinor,
      billRateMinor:
        input.markup_pct === undefined
          ? (cardRate ?? Number(role.bill_rate_minor))
          : Math.round((costRateMinor * (100 + input.markup_pct)) / 100),
    }
  })
  if (input.lines.some((l) => l.hours !== undefined) && uncertainty > 0) {
    notes.push(
      `Single estimates got a ±${uncertainty}% range for the P80 (their expected hours are unchanged).`,
    )
  }
  const terms = {
    contingencyPct: input.contingency_pct ?? 0,
    discountPct: input.discount_pct ?? 0,
    targetMarginPct: input.target_margin_pct ?? null,
  }
  const priced: PricedLineInput[] = lines
  const totals = priceQuote(priced, terms)
  if (totals.marginPct < -999.99) notes.push('The margin is below -999.99%; check the discount.')
  if (input.markup_pct !== undefined)
    notes.push(`Priced at cost plus ${input.markup_pct}% markup instead of the rate card.`)
  notes.push(
    'P50/P80/P90 use the PERT approximation (normal, from each line’s (p − o) / 6), not a simulation.',
  )
  const floor =
    input.margin_floor_pct === undefined ? null : marginFloor(totals, terms, input.margin_floor_pct)
  if (floor?.below) {
    notes.push(
      `At ${terms.discountPct}% discount the margin is ${totals.marginPct}%, below the ${floor.pct}% floor; at most ${floor.maxDiscountPct}% discount keeps it.`,
    )
  }
  const fixedFee =
    input.pricing_model === 'fixed_fee'
      ? {
          priceMinor: Math.max(totals.priceMinor, totals.p80PriceMinor),
          riskPremiumMinor: Math.max(0, totals.p80PriceMinor - totals.priceMinor),
        }
      : null
  const months = input.retainer_months ?? (input.pricing_model === 'retainer' ? 12 : null)
  const retainer =
    input.pricing_model === 'retainer' && months
      ? {
          months,
          monthlyPriceMinor: totals.priceMinor,
          totalPriceMinor: totals.priceMinor * months,
          monthlyHours: totals.expectedHours,
        }
      : null
  if (retainer && input.retainer_months === undefined)
    notes.push('No term was given, so the retainer runs 12 months.')
  return {
    currency: card?.currency ?? defaults.currency,
    rateCard: card ? { id: card.id, name: card.name, kind: card.kind } : null,
    client: client ? { id: client.id, name: client.name } : null,
    effectiveOn,
    lines,
    totals,
    terms,
    floor,
    fixedFee,
    retainer,
    notes: [...new Set(notes)],
  }
}

/** Whether the discounted price keeps the floor margin, and the largest discount (to 0.01%) that would. */
function marginFloor(
  totals: QuoteTotals,
  terms: { contingencyPct: number; discountPct: number },
  pct: number,
) {
  const undiscounted = totals.listPriceMinor * (1 + terms.contingencyPct / 100)
  const least = totals.costMinor / (1 - pct / 100)
  const maxDiscount =
    undiscounted <= 0 ? 0 : Math.max(0, Math.floor((1 - least / undiscounted) * 10_000) / 100)
  return { pct, below: totals.marginPct < pct, maxDiscountPct: maxDiscount }
}

/** The priced quote as tool output (snake_case JSON for the model and the event stream). */
export function pricedQuoteJson(q: PricedQuote) {
  return {
    currency: q.currency,
    client: q.client,
    rate_card: q.rateCard,
    effective_on: q.effectiveOn,
    lines: q.lines.map((l, i) => ({
      role: l.role,
      role_id: l.roleId,
      description: l.description,
      optimistic_hours: l.optimisticHours,
      likely_hours: l.likelyHours,
      pessimistic_hours: l.pessimisticHours,
      expected_hours: q.totals.lines[i]?.expectedHours ?? 0,
      cost_rate_minor: l.costRateMinor,
      bill_rate_minor: l.billRateMinor,
      cost_minor: q.totals.lines[i]?.costMinor ?? 0,
      list_minor: q.totals.lines[i]?.listMinor ?? 0,
    })),
    contingency_pct: q.terms.contingencyPct,
    discount_pct: q.terms.discountPct,
    target_margin_pct: q.terms.targetMarginPct,
    totals: {
      expected_hours: q.totals.expectedHours,
      cost_minor: q.totals.costMinor,
      list_price_minor: q.totals.listPriceMinor,
      price_minor: q.totals.priceMinor,
      margin_pct: q.totals.marginPct,
      p50_price_minor: q.totals.p50PriceMinor,
      p80_price_minor: q.totals.p80PriceMinor,
      p90_price_minor: q.totals.p90PriceMinor,
      price_for_target_margin_minor: q.totals.priceForTargetMinor,
      meets_target_margin: q.totals.meetsTarget,
    },
    margin_floor: q.floor && {
      pct: q.floor.pct,
      below: q.floor.below,
      max_discount_pct: q.floor.maxDiscountPct,
    },
    needs_approval: q.terms.targetMarginPct !== null && q.totals.marginPct < q.terms.targetMarginPct,
    fixed_fee: q.fixedFee && {
      price_minor: q.fixedFee.priceMinor,
      risk_premium_minor: q.fixedFee.riskPremiumMinor,
    },
    retainer: q.retainer && {
      months: q.retainer.months,
      monthly_hours: q.retainer.monthlyHours,
      monthly_price_minor: q.retainer.monthlyPriceMinor,
      total_price_minor: q.retainer.totalPriceMinor,
    },
    notes: q.notes,
  }
}
