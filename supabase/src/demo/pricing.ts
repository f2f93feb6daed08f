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

export interface QuoteLineEstimate {
  optimisticHours: number
  likelyHours: number
  pessimisticHours: number
  costRateMinor: number
  billRateMinor: number
}

export interface QuoteTerms {
  contingencyPct: number
  discountPct: number
}

export interface QuoteTotals {
  expectedHours: number
  costMinor: number
  listPriceMinor: number
  priceMinor: number
  marginPct: number
  p50PriceMinor: number
  p80PriceMinor: number
}

/** The standard normal quantile at 0.8. */
export const Z80 = 0.8416212335729143

function hundredths(value: number): bigint {
  return BigInt(Math.round(value * 100))
}

function divideRoundHalfUp(numerator: bigint, denominator: bigint): number {
  return Number((2n * numerator + denominator) / (2n * denominator))
}

export function pertExpectedHours(
  line: Pick<QuoteLineEstimate, 'optimisticHours' | 'likelyHours' | 'pessimisticHours'>,
): number {
  return (line.optimisticHours + 4 * line.likelyHours + line.pessimisticHours) / 6
}

export function pertStdDevHours(
  line: Pick<QuoteLineEstimate, 'optimisticHours' | 'pessimisticHours'>,
): number {
  return (line.pessimisticHours - line.optimisticHours) / 6
}

export function quoteTotals(lines: readonly QuoteLineEstimate[], terms: QuoteTerms): QuoteTotals {
  for (const line of lines) {
    if (!(line.optimisticHours <= line.likelyHours && line.likelyHours <= line.pessimisticHours)) {
      throw new Error('a quote line needs optimistic <= likely <= pessimistic hours')
    }
  }
  // Sums of 6 * E_i * rate in hundredths of an hour, so every intermediate value is an exact integer.
  let cost6 = 0n
  let list6 = 0n
  let hours6 = 0n
  let variance = 0
  for (const line of lines) {
    const weighted =
      hundredths(line.optimisticHours) + 4n * hundredths(line.likelyHours) + hundredths(line.pessimisticHours)
    hours6 += weighted
    cost6 += weighted * BigInt(line.costRateMinor)
    list6 += weighted * BigInt(line.billRateMinor)
    variance += (pertStdDevHours(line) * line.billRateMinor) ** 2
  }
  const contingency = hundredths(terms.contingencyPct)
  const discount = hundredths(terms.discountPct)
  const costMinor = divideRoundHalfUp(cost6, 600n)
  const listPriceMinor = divideRoundHalfUp(list6, 600n)
  const priceMinor = divideRoundHalfUp(
    list6 * (10_000n + contingency) * (10_000n - discount),
    600n * 100_000_000n,
  )
  const p50PriceMinor = divideRoundHalfUp(list6 * (10_000n - discount), 600n * 10_000n)
  const keep = 1 - terms.discountPct / 100
  const p80PriceMinor = Math.round((Number(list6) / 600 + Z80 * Math.sqrt(variance)) * keep)
  const marginPct = priceMinor === 0 ? 0 : Math.round(((priceMinor - costMinor) / priceMinor) * 10_000) / 100
  return {
    expectedHours: Number(hours6) / 600,
    costMinor,
    listPriceMinor,
    priceMinor,
    marginPct,
    p50PriceMinor,
    p80PriceMinor,
  }
}
