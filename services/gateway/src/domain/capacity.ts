import type { Tx } from '@psa/db'
import { z } from 'zod'
import { dateSchema, decimalSchema, uuidSchema } from '../schemas/common.js'
import { loadByPeriod, type Period, type PersonLoad, percent, weeksFrom } from './load.js'
import { likePattern } from './projects.js'

export const weekLoadSchema = z.object({
  starts_on: dateSchema,
  capacity_hours: decimalSchema.describe('Working hours less holidays and time off'),
  time_off_hours: decimalSchema,
  soft_hours: decimalSchema.describe('Tentative bookings'),
  hard_hours: decimalSchema.describe('Confirmed bookings'),
  logged_hours: decimalSchema,
  billable_hours: decimalSchema,
  booked_pct: decimalSchema.nullable().describe('(soft + hard) / capacity'),
  over_allocated: z.boolean().describe('Booked past capacity'),
})

export type WeekLoad = z.infer<typeof weekLoadSchema>

export function toWeekLoad(load: PersonLoad, period: Period): WeekLoad {
  const capacity = Number(load.capacity_hours) - Number(load.time_off_hours)
  const booked = Number(load.soft_hours) + Number(load.hard_hours)
  return {
    starts_on: period.starts_on,
    capacity_hours: capacity.toFixed(2),
    time_off_hours: load.time_off_hours,
    soft_hours: load.soft_hours,
    hard_hours: load.hard_hours,
    logged_hours: load.logged_hours,
    billable_hours: load.billable_hours,
    booked_pct: percent(booked, capacity),
    // Hundredths: pro-rata bookings are rounded, a booking exactly at capacity is not over it.
    over_allocated: Math.round(booked * 100) > Math.round(capacity * 100),
  }
}

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
  const people = await tx
    .selectFrom('people as p')
    .innerJoin('roles as r', (j) =>
      j.onRef('r.id', '=', 'p.role_id').onRef('r.organisation_id', '=', 'p.organisation_id'),
    )
    .select(['p.id', 'p.full_name', 'p.utilisation_target_pct', 'r.id as role_id', 'r.name as role_name'])
    .where('p.organisation_id', '=', f.organisationId)
    .where('p.active', '=', true)
    .$if(f.roleId !== undefined, (q) => q.where('p.role_id', '=', f.roleId as string))
    .$if(Boolean(f.q), (q) => q.where('p.full_name', 'ilike', likePattern(f.q as string)))
    .$if(f.skillId !== undefined, (q) =>
      q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('person_skills as ps')
            .select('ps.id')
            .whereRef('ps.person_id', '=', 'p.id')
            .where('ps.skill_id', '=', f.skillId as string),
        ),
      ),
    )
    .orderBy('r.name')
    .orderBy('p.full_name')
    .orderBy('p.id')
    .execute()
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
