import { describe, expect, it } from 'vitest'
import { divideRoundHalfUp, priceQuote, threePoint, Z80, Z90 } from './index.js'
import { rateOn } from './rate-card.js'

const senior = { costRateMinor: 7_500, billRateMinor: 17_500 }
const designer = { costRateMinor: 6_000, billRateMinor: 14_500 }

describe('priceQuote', () => {
  it('prices expected hours (PERT) at cost and bill rates, in minor units', () => {
    const t = priceQuote(
      [
        { optimisticHours: 100, likelyHours: 120, pessimisticHours: 200, ...senior },
        { optimisticHours: 40, likelyHours: 40, pessimisticHours: 40, ...designer },
      ],
      { contingencyPct: 0, discountPct: 0 },
    )
    // (100 + 480 + 200) / 6 = 130 h
    expect(t.lines[0]).toEqual({ expectedHours: 130, costMinor: 975_000, listMinor: 2_275_000 })
    expect(t.expectedHours).toBe(170)
    expect(t.costMinor).toBe(975_000 + 240_000)
    expect(t.listPriceMinor).toBe(2_275_000 + 580_000)
    expect(t.priceMinor).toBe(t.listPriceMinor)
    expect(t.marginPct).toBe(57.44) // (2,855,000 - 1,215,000) / 2,855,000
    expect(t.p50PriceMinor).toBe(t.listPriceMinor)
    // Only the uncertain line adds risk: s = 100/6 h at $175.
    expect(t.p80PriceMinor).toBe(Math.round(2_855_000 + Z80 * (100 / 6) * 17_500))
    expect(t.p90PriceMinor).toBe(Math.round(2_855_000 + Z90 * (100 / 6) * 17_500))
    expect(t.p90PriceMinor).toBeGreaterThan(t.p80PriceMinor)
  })

  it('adds contingency and takes off the discount from the price; P50/P80 carry only the discount', () => {
    const t = priceQuote([{ optimisticHours: 200, likelyHours: 200, pessimisticHours: 200, ...senior }], {
      contingencyPct: 10,
      discountPct: 5,
    })
    expect(t.listPriceMinor).toBe(3_500_000)
    expect(t.priceMinor).toBe(3_657_500) // 3,500,000 * 1.10 * 0.95
    expect(t.p50PriceMinor).toBe(3_325_000)
    expect(t.p80PriceMinor).toBe(3_325_000)
  })

  it('rounds half up once, at the end, never accumulating per line', () => {
    // 0.01 h at 50 minor/h is 0.5 minor: rounds up; three such lines sum to 1.5 and round to 2, not 3.
    const tiny = {
      optimisticHours: 0.01,
      likelyHours: 0.01,
      pessimisticHours: 0.01,
      costRateMinor: 50,
      billRateMinor: 50,
    }
    expect(priceQuote([tiny], { contingencyPct: 0, discountPct: 0 }).listPriceMinor).toBe(1)
    expect(priceQuote([tiny, tiny, tiny], { contingencyPct: 0, discountPct: 0 }).listPriceMinor).toBe(2)
    expect(divideRoundHalfUp(5n, 2n)).toBe(3)
    expect(divideRoundHalfUp(4n, 3n)).toBe(1)
  })

  it('says whether the target margin is met and what price would meet it', () => {
    const line = {
      optimisticHours: 100,
      likelyHours: 100,
      pessimisticHours: 100,
      costRateMinor: 7_000,
      billRateMinor: 10_000,
    }
    const below = priceQuote([line], { contingencyPct: 0, discountPct: 0, targetMarginPct: 40 })
    expect(below.marginPct).toBe(30)
    expect(below.meetsTarget).toBe(false)
    expect(below.priceForTargetMinor).toBe(1_166_667) // 700,000 / 0.6, rounded half up
    const met = priceQuote([line], { contingencyPct: 0, discountPct: 0, targetMarginPct: 30 })
    expect(met.meetsTarget).toBe(true)
    expect(priceQuote([line], { contingencyPct: 0, discountPct: 0 }).meetsTarget).toBeNull()
  })

  it('handles a 100% discount and a loss-making price', () => {
    const free = priceQuote([{ optimisticHours: 1, likelyHours: 1, pessimisticHours: 1, ...senior }], {
      contingencyPct: 0,
      discountPct: 100,
    })
    expect(free).toMatchObject({ priceMinor: 0, marginPct: 0, p50PriceMinor: 0, p80PriceMinor: 0 })
    const loss = priceQuote([{ optimisticHours: 1, likelyHours: 1, pessimisticHours: 1, ...senior }], {
      contingencyPct: 0,
      discountPct: 80,
    })
    expect(loss.marginPct).toBe(-114.29)
  })

  it('rejects impossible input with a clear reason', () => {
    expect(priceQuote([], { contingencyPct: 10, discountPct: 0 })).toMatchObject({
      costMinor: 0,
      priceMinor: 0,
      marginPct: 0,
    })
    expect(() =>
      priceQuote([{ optimisticHours: 5, likelyHours: 4, pessimisticHours: 6, ...senior }], {
        contingencyPct: 0,
        discountPct: 0,
      }),
    ).toThrow('optimistic <= likely <= pessimistic')
    expect(() =>
      priceQuote(
        [{ optimisticHours: 1, likelyHours: 1, pessimisticHours: 1, costRateMinor: 1.5, billRateMinor: 2 }],
        { contingencyPct: 0, discountPct: 0 },
      ),
    ).toThrow('whole')
    expect(() =>
      priceQuote([{ optimisticHours: 1, likelyHours: 1, pessimisticHours: 1, ...senior }], {
        contingencyPct: 0,
        discountPct: 120,
      }),
    ).toThrow('discount')
  })
})

describe('threePoint', () => {
  it('gives a single estimate a symmetric range, keeping its expected hours', () => {
    expect(threePoint(200, 15)).toEqual({ optimistic: 170, likely: 200, pessimistic: 230 })
    expect(threePoint(80, 0)).toEqual({ optimistic: 80, likely: 80, pessimistic: 80 })
    const t = threePoint(37.5, 15)
    expect((t.optimistic + 4 * t.likely + t.pessimistic) / 6).toBeCloseTo(37.5, 10)
  })
})

describe('rateOn', () => {
  const lines = [
    { roleId: 'dev', billRateMinor: 16_500, effectiveFrom: '2025-01-01', effectiveTo: '2025-12-31' },
    { roleId: 'dev', billRateMinor: 17_500, effectiveFrom: '2026-01-01', effectiveTo: null },
    { roleId: 'pm', billRateMinor: 16_000, effectiveFrom: '2026-06-01', effectiveTo: '2026-06-30' },
  ]
  it('picks the line in effect on the day, both ends inclusive, open-ended lines included', () => {
    expect(rateOn(lines, 'dev', '2025-12-31')).toBe(16_500)
    expect(rateOn(lines, 'dev', '2026-01-01')).toBe(17_500)
    expect(rateOn(lines, 'dev', '2031-05-05')).toBe(17_500)
    expect(rateOn(lines, 'pm', '2026-06-30')).toBe(16_000)
  })
  it('has no rate before the first line, after a closed one, or for another role', () => {
    expect(rateOn(lines, 'dev', '2024-12-31')).toBeNull()
    expect(rateOn(lines, 'pm', '2026-07-01')).toBeNull()
    expect(rateOn(lines, 'qa', '2026-06-15')).toBeNull()
  })
})
