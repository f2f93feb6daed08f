import { sql, type Tx } from '@psa/db'
import { z } from 'zod'
import { dateSchema, decimalSchema, moneySchema, timestampSchema, uuidSchema } from '../schemas/common.js'

export const teamMemberSchema = z.object({
  person: z.object({ id: uuidSchema, full_name: z.string() }),
  role: z.object({ id: uuidSchema, name: z.string() }),
  booking_kinds: z.array(z.enum(['soft', 'hard'])).describe('Kinds of the person’s bookings on the project'),
  booked_hours_per_week: decimalSchema.describe(
    'Sum of the hours per week of the bookings running as of today',
  ),
  booked_from: dateSchema.nullable(),
  booked_until: dateSchema.nullable(),
  hours_logged: decimalSchema,
})

const datedRow = z.object({ starts_on: dateSchema, ends_on: dateSchema })

export const baselineSchema = z.object({
  id: uuidSchema,
  name: z.string(),
  created_at: timestampSchema,
  starts_on: dateSchema.nullable(),
  ends_on: dateSchema.nullable(),
  budget_minor: moneySchema.nullable(),
  tasks: z.array(datedRow.extend({ task_id: uuidSchema })),
  milestones: z.array(z.object({ milestone_id: uuidSchema, due_on: dateSchema })),
})

/** People booked on a project (or who logged time on it), with their bookings and hours so far. */
export async function projectTeam(
  tx: Tx,
  organisationId: string,
  projectId: string,
): Promise<z.infer<typeof teamMemberSchema>[]> {
  const rows = await sql<{
    person_id: string
    full_name: string
    role_id: string
    role_name: string
    booking_kinds: ('soft' | 'hard')[] | null
    booked_hours_per_week: string
    booked_from: string | null
    booked_until: string | null
    hours_logged: string
  }>`
    with members as (
      select person_id from public.allocations where organisation_id = ${organisationId} and project_id = ${projectId}
      union
      select person_id from public.time_entries where organisation_id = ${organisationId} and project_id = ${projectId}
    )
    select p.id as person_id, p.full_name, r.id as role_id, r.name as role_name,
      (select array_agg(distinct a.kind order by a.kind) from public.allocations a
        where a.organisation_id = ${organisationId} and a.project_id = ${projectId} and a.person_id = p.id)
        as booking_kinds,
      coalesce((select sum(a.hours_per_week) from public.allocations a
        where a.organisation_id = ${organisationId} and a.project_id = ${projectId} and a.person_id = p.id
          and current_date between a.starts_on and a.ends_on), 0)::text as booked_hours_per_week,
      (select min(a.starts_on)::text from public.allocations a
        where a.organisation_id = ${organisationId} and a.project_id = ${projectId} and a.person_id = p.id)
        as booked_from,
      (select max(a.ends_on)::text from public.allocations a
        where a.organisation_id = ${organisationId} and a.project_id = ${projectId} and a.person_id = p.id)
        as booked_until,
      coalesce((select sum(te.hours) from public.time_entries te
        where te.organisation_id = ${organisationId} and te.project_id = ${projectId} and te.person_id = p.id), 0)::text
        as hours_logged
    from members m
    join public.people p on p.id = m.person_id and p.organisation_id = ${organisationId}
    join public.roles r on r.id = p.role_id and r.organisation_id = p.organisation_id
    order by p.full_name, p.id
  `.execute(tx)
  return rows.rows.map((r) => ({
    person: { id: r.person_id, full_name: r.full_name },
    role: { id: r.role_id, name: r.role_name },
    booking_kinds: r.booking_kinds ?? [],
    booked_hours_per_week: r.booked_hours_per_week,
    booked_from: r.booked_from,
    booked_until: r.booked_until,
    hours_logged: r.hours_logged,
  }))
}

// Baselines are snapshots written by people and agents over time: read what is recognisable, skip the rest.
const snapshotSchema = z.object({
  starts_on: dateSchema.nullable().catch(null).default(null),
  ends_on: dateSchema.nullable().catch(null).default(null),
  budget_minor: z
    .union([z.string().regex(/^-?\d+$/), z.number().int()])
    .transform(String)
    .nullable()
    .catch(null)
    .default(null),
  tasks: z
    .array(z.unknown())
    .catch([])
    .default([])
    .transform((items) => items.flatMap((t) => tryParse(datedRow.extend({ task_id: uuidSchema }), t))),
  milestones: z
    .array(z.unknown())
    .catch([])
    .default([])
    .transform((items) =>
      items.flatMap((m) => tryParse(z.object({ milestone_id: uuidSchema, due_on: dateSchema }), m)),
    ),
})

function tryParse<T>(schema: z.ZodType<T>, value: unknown): T[] {
  const parsed = schema.safeParse(value)
  return parsed.success ? [parsed.data] : []
}

/** The project's latest baseline, with the dates it recorded. */
export async function latestBaseline(
  tx: Tx,
  organisationId: string,
  projectId: string,
): Promise<z.infer<typeof baselineSchema> | null> {
  const row = await tx
    .selectFrom('baselines')
    .select(['id', 'name', 'created_at', 'snapshot'])
    .where('organisation_id', '=', organisationId)
    .where('project_id', '=', projectId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst()
  if (!row) return null
  const snapshot = snapshotSchema.parse(row.snapshot ?? {})
  return { id: row.id, name: row.name, created_at: row.created_at.toISOString(), ...snapshot }
}
