import { describe, expect, it } from 'vitest'
import { pertExpectedHours, pertStdDevHours, quoteTotals, Z80 } from './pricing.js'

describe('quote pricing (PERT)', () => {
  it('uses the beta-PERT mean and standard deviation', () => {
    expect(pertExpectedHours({ optimisticHours: 80, likelyHours: 100, pessimisticHours: 150 })).toBeCloseTo(
      105,
      10,
    )
    expect(pertStdDevHours({ optimisticHours: 80, pessimisticHours: 150 })).toBeCloseTo(70 / 6, 10)
  })

  it('prices a version from its lines, contingency and discount', () => {
    const lines = [
      // E = 105 h, sd = 70/6 h
      {
        optimisticHours: 80,
        likelyHours: 100,
        pessimisticHours: 150,
        costRateMinor: 7_500,
        billRateMinor: 17_500,
      },
      // E = 40 h, sd = 20/6 h
      {
        optimisticHours: 30,
        likelyHours: 40,
        pessimisticHours: 50,
        costRateMinor: 6_000,
        billRateMinor: 14_500,
      },
    ]
    const totals = quoteTotals(lines, { contingencyPct: 10, discountPct: 5 })
    expect(totals.expectedHours).toBeCloseTo(145, 10)
    expect(totals.costMinor).toBe(105 * 7_500 + 40 * 6_000) // 1,027,500
    expect(totals.listPriceMinor).toBe(105 * 17_500 + 40 * 14_500) // 2,417,500
    expect(totals.priceMinor).toBe(Math.round(2_417_500 * 1.1 * 0.95)) // 2,526,288 (half up)
    expect(totals.p50PriceMinor).toBe(Math.round(2_417_500 * 0.95))
    const sd = Math.sqrt(((70 / 6) * 17_500) ** 2 + ((20 / 6) * 14_500) ** 2)
    expect(totals.p80PriceMinor).toBe(Math.round((2_417_500 + Z80 * sd) * 0.95))
    expect(totals.marginPct).toBe(
      Math.round(((totals.priceMinor - totals.costMinor) / totals.priceMinor) * 10_000) / 100,
    )
    expect(totals.p80PriceMinor).toBeGreaterThan(totals.p50PriceMinor)
  })

  it('rounds money exactly once, half up, even where floating point would drift', () => {
    // E = (1 + 4 + 1.5) / 6 = 1.0833 h; at 3 minor/h that is 3.25 -> 3
    const line = {
      optimisticHours: 1,
      likelyHours: 1,
      pessimisticHours: 1.5,
      costRateMinor: 3,
      billRateMinor: 5,
    }
    expect(quoteTotals([line], { contingencyPct: 0, discountPct: 0 }).costMinor).toBe(3)
    // E = 1.25 h exactly (o=1, m=1.25, p=1.5) at 2 minor/h = 2.5 -> 3 (half up)
    const half = {
      optimisticHours: 1,
      likelyHours: 1.25,
      pessimisticHours: 1.5,
      costRateMinor: 2,
      billRateMinor: 2,
    }
    expect(quoteTotals([half], { contingencyPct: 0, discountPct: 0 }).costMinor).toBe(3)
  })

  it('refuses estimates that are not ordered', () => {
    expect(() =>
      quoteTotals(
        [{ optimisticHours: 10, likelyHours: 5, pessimisticHours: 20, costRateMinor: 1, billRateMinor: 1 }],
        {
          contingencyPct: 0,
          discountPct: 0,
        },
      ),
    ).toThrow(/optimistic <= likely <= pessimistic/)
  })

  it('prices an empty quote at zero', () => {
    const totals = quoteTotals([], { contingencyPct: 10, discountPct: 0 })
    expect(totals).toMatchObject({
      costMinor: 0,
      priceMinor: 0,
      marginPct: 0,
      p50PriceMinor: 0,
      p80PriceMinor: 0,
    })
  })
})
