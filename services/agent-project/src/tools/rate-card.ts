import type { Tx } from '@psa/db'

/**
 * Bill rates by role on `date` from a rate card (the line whose [effective_from, effective_to] holds the
 * date; the schema guarantees at most one), as integer minor units.
 */
export async function billRatesOn(tx: Tx, rateCardId: string, date: string): Promise<Map<string, number>> {
  const lines = await tx
    .selectFrom('rate_card_lines')
    .select(['role_id', 'bill_rate_minor'])
    .where('rate_card_id', '=', rateCardId)
    .where('effective_from', '<=', date)
    .where((eb) => eb.or([eb('effective_to', 'is', null), eb('effective_to', '>=', date)]))
    .execute()
  return new Map(lines.map((l) => [l.role_id, Number(l.bill_rate_minor)]))
}
