import { formatMoney } from '@psa/agent-models'
import { defineTool, type ToolResult } from '@psa/agent-runtime'
import { type PricedQuote, pricedQuoteJson, priceLines, pricingInput } from './pricing-data.js'

export function describePrice(q: PricedQuote): string {
  const money = (amountMinor: number) => formatMoney({ amountMinor, currency: q.currency })
  const t = q.totals
  const target =
    q.terms.targetMarginPct === null
      ? ''
      : t.meetsTarget
        ? `, meets the ${q.terms.targetMarginPct}% target`
        : `, below the ${q.terms.targetMarginPct}% target (needs at least ${money(t.priceForTargetMinor ?? 0)})`
  return `price ${money(t.priceMinor)}, cost ${money(t.costMinor)}, margin ${t.marginPct}%${target}; P50 ${money(t.p50PriceMinor)}, P80 ${money(t.p80PriceMinor)} for ${t.expectedHours} expected hours at ${q.rateCard ? q.rateCard.name : 'role rates'}`
}

export const priceQuoteTool = defineTool({
  name: 'price_quote',
  description:
    "Price quote lines (role and hours: one estimate or optimistic/likely/pessimistic) at the client's rate card or the standard one on the effective day, with contingency, discount and a target margin: cost, price, margin and PERT P50/P80 totals in minor units. Reads only.",
  inputSchema: pricingInput,
  run: async (input, ctx): Promise<ToolResult> => {
    const priced = await ctx.asUser((tx) =>
      priceLines(tx, input, { today: ctx.session.today, currency: ctx.session.currency }),
    )
    return { summary: describePrice(priced), ...pricedQuoteJson(priced) }
  },
})
