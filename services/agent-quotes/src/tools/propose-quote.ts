import { type AgentToolContext, defineTool, type ToolResult } from '@psa/agent-runtime'
import { addDays } from '@psa/calendar'
import type { ChangesetOperation } from '@psa/changesets'
import { AppError } from '@psa/errors'
import { z } from 'zod'
import { describePrice } from './price-quote.js'
import { type PricedQuote, pricedQuoteJson, priceLines, pricingInput } from './pricing-data.js'

export const proposeQuoteInput = pricingInput.extend({
  client_id: z.uuid().describe('The client the quote is for'),
  title: z.string().trim().min(2).max(200),
  project_id: z.uuid().optional().describe('The project the quote prices, if it exists'),
  pricing_model: z.enum(['time_and_materials', 'fixed_fee', 'retainer']).optional(),
  valid_until: z.iso.date().optional().describe('Default: 30 days after the request'),
  notes: z.string().max(2_000).optional(),
})

/** A quote version row and its lines, from a priced quote (version 1 or a revision). */
export function versionOperations(
  ctx: AgentToolContext,
  priced: PricedQuote,
  v: {
    quoteId: string
    versionId: string
    versionNumber: number
    pricingModel: string | undefined
    notes: string | undefined
    lineKey: string[]
  },
): ChangesetOperation[] {
  const t = priced.totals
  return [
    {
      op: 'insert',
      table: 'quote_versions',
      values: {
        id: v.versionId,
        quote_id: v.quoteId,
        version_number: v.versionNumber,
        pricing_model: v.pricingModel ?? 'time_and_materials',
        rate_card_id: priced.rateCard?.id ?? null,
        currency: priced.currency,
        contingency_pct: priced.terms.contingencyPct,
        target_margin_pct: priced.terms.targetMarginPct ?? 0,
        discount_pct: priced.terms.discountPct,
        cost_minor: t.costMinor,
        price_minor: t.priceMinor,
        margin_pct: Math.max(-999.99, t.marginPct),
        p50_price_minor: t.p50PriceMinor,
        p80_price_minor: t.p80PriceMinor,
        notes: v.notes ?? (priced.notes.join(' ') || null),
        created_by: ctx.session.userId,
      },
    },
    ...priced.lines.map(
      (l, i): ChangesetOperation => ({
        op: 'insert',
        table: 'quote_lines',
        values: {
          id: ctx.id('quote-line', ...v.lineKey, String(v.versionNumber), String(i)),
          quote_version_id: v.versionId,
          role_id: l.roleId,
          description: l.description,
          optimistic_hours: l.optimisticHours,
          likely_hours: l.likelyHours,
          pessimistic_hours: l.pessimisticHours,
          cost_rate_minor: l.costRateMinor,
          bill_rate_minor: l.billRateMinor,
          sort_order: i + 1,
        },
      }),
    ),
  ]
}

export const proposeQuote = defineTool({
  name: 'propose_quote',
  description:
    'Price the lines (as price_quote does) and propose a draft quote for the client: the quote, its version 1 with the pricing terms and totals, and its lines. Creates a proposal for a person to apply; changes nothing by itself unless the request asked for auto-apply (see auto_apply in the result).',
  inputSchema: proposeQuoteInput,
  run: async (input, ctx): Promise<ToolResult> => {
    const priced = await ctx.asUser(async (tx) => {
      if (input.project_id) {
        const project = await tx
          .selectFrom('projects')
          .select(['id', 'client_id'])
          .where('id', '=', input.project_id)
          .executeTakeFirst()
        if (!project)
          throw new AppError('NOT_FOUND', 'No such project', { details: { project_id: input.project_id } })
        if (project.client_id !== input.client_id)
          throw new AppError('VALIDATION_FAILED', 'The project belongs to another client')
      }
      return priceLines(tx, input, { today: ctx.session.today, currency: ctx.session.currency })
    })
    if (priced.floor?.below) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Refused: at ${priced.terms.discountPct}% discount the margin is ${priced.totals.marginPct}%, below the ${priced.floor.pct}% floor. At most ${priced.floor.maxDiscountPct}% discount keeps the floor.`,
      )
    }
    const key = [input.client_id, input.title]
    const quoteId = ctx.id('quote', ...key)
    const versionId = ctx.id('quote-version', ...key, '1')
    const validUntil = input.valid_until ?? addDays(ctx.session.today, 30)
    const operations: ChangesetOperation[] = [
      {
        op: 'insert',
        table: 'quotes',
        values: {
          id: quoteId,
          client_id: input.client_id,
          project_id: input.project_id ?? null,
          title: input.title,
          status: 'draft',
          current_version: 1,
          valid_until: validUntil,
        },
      },
      ...versionOperations(ctx, priced, {
        quoteId,
        versionId,
        versionNumber: 1,
        pricingModel: input.pricing_model,
        notes: input.notes,
        lineKey: key,
      }),
    ]
    const summary = `Draft quote "${input.title}" v1 for ${priced.client?.name}: ${describePrice(priced)}`
    const proposal = await ctx.propose({
      title: `Quote: ${input.title}`,
      summary,
      changeset: { version: 1, operations },
    })
    return {
      summary,
      proposal_id: proposal.proposalId,
      created: proposal.created,
      quote_id: quoteId,
      version: 1,
      title: input.title,
      valid_until: validUntil,
      ...pricedQuoteJson(priced),
    }
  },
})
