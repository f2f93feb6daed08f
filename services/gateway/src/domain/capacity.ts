import type { Tx } from '@psa/db'
import { z } from 'zod'
import { dateSchema, decimalSchema, uuidSchema } from '../schemas/common.js'
import { loadByPeriod, type Period, type PersonLoad, toWeekLoad, weekLoadSchema, weeksFrom } from './load.js'
import { peopleByRole } from './resources.js'

export const capacitySchema = z
  .object({
    weeks: z.array(z.object({ starts_on: dateSchema, ends_on: dateSchema })),
    people: z.array(
      z.object({
        id: uuidSchema,
        full_name: z.string(),
        role: z.object({ id: uuidSchema, name: z.string() }),
        utilisation_target_pct: decimalSchema,
        weeks: z.array(weekLoadSchema),
      }),
    ),
  })
  .meta({ id: 'CapacityHeatmap' })

/** People × weeks: capacity, soft and hard bookings, and who is booked past capacity. */
export async function capacityHeatmap(
  tx: Tx,
  f: {
    organisationId: string
    from: string
    weeks: number
    roleId?: string | undefined
    skillId?: string | undefined
    q?: string | undefined
  },
): Promise<z.infer<typeof capacitySchema>> {
  const people = await peopleByRole(tx, {
    organisationId: f.organisationId,
    active: true,
    roleId: f.roleId,
    skillId: f.skillId,
    q: f.q,
  })
  const weeks = weeksFrom(f.from, f.weeks)
  const loads = await loadByPeriod(
    tx,
    f.organisationId,
    weeks,
    people.map((p) => p.id),
  )
  const byPerson = new Map<string, PersonLoad[]>()
  for (const load of loads) byPerson.set(load.person_id, [...(byPerson.get(load.person_id) ?? []), load])
  return {
    weeks,
    people: people.map((p) => ({
      id: p.id,
      full_name: p.full_name,
      role: { id: p.role_id, name: p.role_name },
      utilisation_target_pct: p.utilisation_target_pct,
      weeks: (byPerson.get(p.id) ?? []).map((l) => toWeekLoad(l, weeks[l.period] as Period)),
    })),
  }
}
