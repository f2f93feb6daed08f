// Quote totals from three-point estimates (PERT). How a version's numbers are derived from its lines:
//
//   per line i:   E_i = (o_i + 4 m_i + p_i) / 6          expected hours (beta-PERT mean)
//                 s_i = (p_i - o_i) / 6                  standard deviation of the hours
//   cost        = sum E_i * cost_rate_i
//   list        = sum E_i * bill_rate_i
//   price       = list * (1 + contingency_pct/100) * (1 - discount_pct/100)
//   margin_pct  = (price - cost) / price * 100            (two decimals)
//   P50 price   = list * (1 - discount_pct/100)            median of the total (normal approximation, so the mean)
//   P80 price   = (list + z80 * sqrt(sum (s_i * bill_rate_i)^2)) * (1 - discount_pct/100),  z80 = 0.8416...
//
// Lines are treated as independent, so their variances add. Contingency is the buffer the seller puts on
// top of the median; a quote whose price is below its P80 carries real overrun risk. Money is rounded half
// up to whole minor units once, at the end; cost, list and price are computed exactly with bigint.

import {
  type PricedLineInput,
  type QuoteTotals as PricedTotals,
  type PricingTerms,
  pertExpectedHours,
  pertStdDevHours,
  priceQuote,
  Z80,
} from '@psa/pricing'

export { pertExpectedHours, pertStdDevHours, Z80 }

export type QuoteLineEstimate = PricedLineInput

/** A stored quote version's terms (the demo records no target margin). */
export type QuoteTerms = Omit<PricingTerms, 'targetMarginPct'>

/** The totals a quote version stores. */
export type QuoteTotals = Pick<
  PricedTotals,
  | 'expectedHours'
  | 'costMinor'
  | 'listPriceMinor'
  | 'priceMinor'
  | 'marginPct'
  | 'p50PriceMinor'
  | 'p80PriceMinor'
>

/** A version's totals, by the same rules the quotes agent prices with (@psa/pricing). */
export function quoteTotals(lines: readonly QuoteLineEstimate[], terms: QuoteTerms): QuoteTotals {
  const { expectedHours, costMinor, listPriceMinor, priceMinor, marginPct, p50PriceMinor, p80PriceMinor } =
    priceQuote(lines, terms)
  return { expectedHours, costMinor, listPriceMinor, priceMinor, marginPct, p50PriceMinor, p80PriceMinor }
}
