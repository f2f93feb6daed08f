import type { VerifiedUser } from '@psa/auth'
import type { Tx } from '@psa/db'
import { z } from 'zod'
import { uuidSchema } from '../schemas/common.js'

export const meSchema = z
  .object({
    user: z.object({ id: uuidSchema, email: z.string().nullable() }),
    organisations: z.array(
      z.object({
        id: uuidSchema,
        name: z.string(),
        slug: z.string(),
        role: z.enum(['owner', 'admin', 'manager', 'member', 'viewer']),
        currency: z.string().length(3),
        locale: z.string().describe('BCP 47 tag for formatting money, dates and numbers'),
        timezone: z.string(),
      }),
    ),
  })
  .meta({ id: 'Me' })

/** The user's memberships, oldest first (the first is the default organisation, as for every list route). */
export async function getMe(tx: Tx, user: VerifiedUser): Promise<z.infer<typeof meSchema>> {
  const rows = await tx
    .selectFrom('memberships as m')
    .innerJoin('organisations as o', 'o.id', 'm.organisation_id')
    .select(['o.id', 'o.name', 'o.slug', 'm.role', 'o.currency', 'o.locale', 'o.timezone'])
    .where('m.user_id', '=', user.userId)
    .orderBy('m.created_at')
    .orderBy('m.organisation_id')
    .execute()
  return {
    user: { id: user.userId, email: user.email ?? null },
    organisations: rows.map((o) => ({ ...o, currency: o.currency.trim() })),
  }
}
