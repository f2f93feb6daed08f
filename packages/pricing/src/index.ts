/**
 * Quote pricing from three-point estimates (PERT), in integer minor units throughout:
 *
 *   per line i:   E_i = (o_i + 4 m_i + p_i) / 6          expected hours
 *                 s_i = (p_i - o_i) / 6                  standard deviation of the hours
 *   cost        = sum E_i * cost_rate_i
 *   list        = sum E_i * bill_rate_i
 *   price       = list * (1 + contingency) * (1 - discount)
 *   margin      = (price - cost) / price
 *   P50 price   = list * (1 - discount)                   (the median of the normal approximation)
 *   P80 price   = (list + z80 * sqrt(sum (s_i * bill_rate_i)^2)) * (1 - discount)
 *   P90 price   = the same with z90
 *
 * The quotes agent prices with it and the demo data's quotes are built with it. Hours are exact to the hundredth, so every sum is an exact
 * integer (bigint) and money is rounded half up once, at the end. A price that reaches a target margin is
 * cost / (1 - target).
 */

export const Z80 = 0.8416212335729143
export const Z90 = 1.2815515655446004

export interface PricedLineInput {
  optimisticHours: number
  likelyHours: number
  pessimisticHours: number
  costRateMinor: number
  billRateMinor: number
}

export interface PricingTerms {
  contingencyPct: number
  discountPct: number
  targetMarginPct?: number | null
}

export interface LineTotals {
  expectedHours: number
  costMinor: number
  listMinor: number
}

export interface QuoteTotals {
  expectedHours: number
  costMinor: number
  listPriceMinor: number
  priceMinor: number
  /** Percent, two decimals; 0 for a zero price. */
  marginPct: number
  p50PriceMinor: number
  p80PriceMinor: number
  p90PriceMinor: number
  /** The lowest price that makes the target margin (null without a target, or for a 100% target). */
  priceForTargetMinor: number | null
  meetsTarget: boolean | null
  lines: LineTotals[]
}

function hundredths(value: number): bigint {
  return BigInt(Math.round(value * 100))
}

/** numerator / denominator rounded half up (both non-negative). */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): number {
  return Number((2n * numerator + denominator) / (2n * denominator))
}

/** A single estimate gets a symmetric range around it, so its expected hours stay what was asked. */
export function threePoint(
  hours: number,
  uncertaintyPct: number,
): { optimistic: number; likely: number; pessimistic: number } {
  const spread = Math.round(hours * uncertaintyPct) / 100
  return { optimistic: Math.max(0, hours - spread), likely: hours, pessimistic: hours + spread }
}

/** Expected hours of a line: (o + 4m + p) / 6. */
export function pertExpectedHours(
  line: Pick<PricedLineInput, 'optimisticHours' | 'likelyHours' | 'pessimisticHours'>,
): number {
  return (line.optimisticHours + 4 * line.likelyHours + line.pessimisticHours) / 6
}

/** Standard deviation of a line's hours: (p - o) / 6. */
export function pertStdDevHours(line: Pick<PricedLineInput, 'optimisticHours' | 'pessimisticHours'>): number {
  return (line.pessimisticHours - line.optimisticHours) / 6
}

/** Prices the lines (an empty quote prices at zero). */
export function priceQuote(lines: readonly PricedLineInput[], terms: PricingTerms): QuoteTotals {
  for (const [name, pct] of [
    ['contingency', terms.contingencyPct],
    ['discount', terms.discountPct],
    ['target margin', terms.targetMarginPct ?? 0],
  ] as const) {
    if (!(pct >= 0 && pct <= 100)) throw new RangeError(`the ${name} must be between 0 and 100%`)
  }
  let cost6 = 0n
  let list6 = 0n
  let hours6 = 0n
  let variance = 0
  const lineTotals: LineTotals[] = []
  for (const line of lines) {
    if (
      !(
        line.optimisticHours >= 0 &&
        line.optimisticHours <= line.likelyHours &&
        line.likelyHours <= line.pessimisticHours
      )
    ) {
      throw new RangeError('a line needs 0 <= optimistic <= likely <= pessimistic hours')
    }
    if (
      !Number.isInteger(line.costRateMinor) ||
      !Number.isInteger(line.billRateMinor) ||
      line.costRateMinor < 0 ||
      line.billRateMinor < 0
    ) {
      throw new RangeError('rates are whole, non-negative minor units')
    }
    const weighted =
      hundredths(line.optimisticHours) + 4n * hundredths(line.likelyHours) + hundredths(line.pessimisticHours)
    hours6 += weighted
    cost6 += weighted * BigInt(line.costRateMinor)
    list6 += weighted * BigInt(line.billRateMinor)
    variance += (pertStdDevHours(line) * line.billRateMinor) ** 2
    lineTotals.push({
      expectedHours: Number(weighted) / 600,
      costMinor: divideRoundHalfUp(weighted * BigInt(line.costRateMinor), 600n),
      listMinor: divideRoundHalfUp(weighted * BigInt(line.billRateMinor), 600n),
    })
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
  const quantile = (z: number) =>
    Math.max(p50PriceMinor, Math.round((Number(list6) / 600 + z * Math.sqrt(variance)) * keep))
  const p80PriceMinor = quantile(Z80)
  const p90PriceMinor = quantile(Z90)
  const marginPct = priceMinor === 0 ? 0 : Math.round(((priceMinor - costMinor) / priceMinor) * 10_000) / 100
  const target = terms.targetMarginPct ?? null
  const priceForTargetMinor =
    target === null || target >= 100
      ? null
      : divideRoundHalfUp(BigInt(costMinor) * 10_000n, 10_000n - hundredths(target))
  return {
    expectedHours: Number(hours6) / 600,
    costMinor,
    listPriceMinor,
    priceMinor,
    marginPct,
    p50PriceMinor,
    p80PriceMinor,
    p90PriceMinor,
    priceForTargetMinor,
    meetsTarget: target === null ? null : marginPct >= target,
    lines: lineTotals,
  }
}
export { type RateCardLine, rateOn } from './rate-card.js'
