/** One dated bill rate of a role on a rate card; `effectiveTo` null means open-ended. Both ends inclusive. */
export interface RateCardLine {
  roleId: string
  billRateMinor: number
  effectiveFrom: string
  effectiveTo: string | null
}

/** The role's bill rate on `date`, or null when the card has none that day. */
export function rateOn(lines: readonly RateCardLine[], roleId: string, date: string): number | null {
  const line = lines.find(
    (l) =>
      l.roleId === roleId && l.effectiveFrom <= date && (l.effectiveTo === null || date <= l.effectiveTo),
  )
  return line ? line.billRateMinor : null
}
