import { addDays } from '@psa/calendar'
import type { Tx } from '@psa/db'
import { AppError } from '@psa/errors'
import { z } from 'zod'
import { dateSchema, decimalSchema, moneySchema, uuidSchema } from '../schemas/common.js'
import { decodeCursor, pageOf } from './cursor.js'
import { loadByPeriod, type Period, toWeekLoad, weekLoadSchema, weeksFrom } from './load.js'
import { likePattern } from './projects.js'

export interface ResourceListFilter {
  organisationId: string
  roleId?: string | undefined
  skillId?: string | undefined
  minProficiency?: number | undefined
  active?: boolean | undefined
  q?: string | undefined
  pageSize: number
  pageToken?: string | undefined
}

const personCursor = z.tuple([z.string(), z.uuid()])

function personColumns(tx: Tx) {
  return tx
    .selectFrom('people as p')
    .innerJoin('roles as r', (j) =>
      j.onRef('r.id', '=', 'p.role_id').onRef('r.organisation_id', '=', 'p.organisation_id'),
    )
    .leftJoin('locations as l', (j) =>
      j.onRef('l.id', '=', 'p.location_id').onRef('l.organisation_id', '=', 'p.organisation_id'),
    )
    .select([
      'p.id',
      'p.organisation_id',
      'p.user_id',
      'p.full_name',
      'p.email',
      'p.level',
      'p.cost_rate_minor',
      'p.bill_rate_minor',
      'p.weekly_capacity_hours',
      'p.utilisation_target_pct',
      'p.employment_start',
      'p.employment_end',
      'p.active',
      'p.version',
      'r.id as role_id',
      'r.name as role_name',
      'l.id as location_id',
      'l.name as location_name',
      'l.timezone as location_timezone',
    ])
}

type PersonRow = Awaited<ReturnType<ReturnType<typeof personColumns>['executeTakeFirstOrThrow']>>

async function skillsOf(tx: Tx, organisationId: string, personIds: string[]) {
  if (personIds.length === 0)
    return new Map<string, { skill_id: string; name: string; proficiency: number }[]>()
  const rows = await tx
    .selectFrom('person_skills as ps')
    .innerJoin('skills as s', (j) =>
      j.onRef('s.id', '=', 'ps.skill_id').onRef('s.organisation_id', '=', 'ps.organisation_id'),
    )
    .select(['ps.person_id', 's.id as skill_id', 's.name', 'ps.proficiency'])
    .where('ps.organisation_id', '=', organisationId)
    .where('ps.person_id', 'in', personIds)
    .orderBy('ps.proficiency', 'desc')
    .orderBy('s.name')
    .execute()
  const byPerson = new Map<string, { skill_id: string; name: string; proficiency: number }[]>()
  for (const { person_id, ...skill } of rows) {
    const list = byPerson.get(person_id) ?? []
    list.push(skill)
    byPerson.set(person_id, list)
  }
  return byPerson
}

function toPersonJson(
  p: PersonRow,
  skills: { skill_id: string; name: string; proficiency: number }[],
): z.infer<typeof resourceSchema> {
  return {
    id: p.id,
    organisation_id: p.organisation_id,
    user_id: p.user_id,
    full_name: p.full_name,
    email: p.email,
    role: { id: p.role_id, name: p.role_name },
    level: p.level,
    location: p.location_id
      ? { id: p.location_id, name: p.location_name as string, timezone: p.location_timezone as string }
      : null,
    cost_rate_minor: p.cost_rate_minor,
    bill_rate_minor: p.bill_rate_minor,
    weekly_capacity_hours: p.weekly_capacity_hours,
    utilisation_target_pct: p.utilisation_target_pct,
    employment_start: p.employment_start,
    employment_end: p.employment_end,
    active: p.active,
    skills,
    version: p.version,
  }
}

/** People of the organisation matching a list's filters (role, active, name, skill at a proficiency). */
function matchingPeople(tx: Tx, f: Omit<ResourceListFilter, 'pageSize' | 'pageToken'>) {
  return personColumns(tx)
    .where('p.organisation_id', '=', f.organisationId)
    .$if(f.roleId !== undefined, (q) => q.where('p.role_id', '=', f.roleId as string))
    .$if(f.active !== undefined, (q) => q.where('p.active', '=', f.active as boolean))
    .$if(Boolean(f.q), (q) => q.where('p.full_name', 'ilike', likePattern(f.q as string)))
    .$if(f.skillId !== undefined, (q) =>
      q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('person_skills as ps')
            .select('ps.id')
            .whereRef('ps.person_id', '=', 'p.id')
            .where('ps.skill_id', '=', f.skillId as string)
            .where('ps.proficiency', '>=', f.minProficiency ?? 1),
        ),
      ),
    )
}

/** The people a filter matches, by role then name (the capacity heatmap's rows). */
export async function peopleByRole(
  tx: Tx,
  f: Omit<ResourceListFilter, 'pageSize' | 'pageToken'>,
): Promise<
  { id: string; full_name: string; utilisation_target_pct: string; role_id: string; role_name: string }[]
> {
  return matchingPeople(tx, f).orderBy('r.name').orderBy('p.full_name').orderBy('p.id').execute()
}

export async function listResources(
  tx: Tx,
  f: ResourceListFilter,
): Promise<{ resources: z.infer<typeof resourceSchema>[]; next_page_token: string | null }> {
  if (f.minProficiency !== undefined && f.skillId === undefined) {
    throw new AppError('VALIDATION_FAILED', 'min_proficiency needs skill_id', {
      details: { issues: [{ location: 'querystring', path: 'min_proficiency', message: 'needs skill_id' }] },
    })
  }
  const after = decodeCursor(f.pageToken, personCursor)
  const rows = await matchingPeople(tx, f)
    .$if(after !== undefined, (q) =>
      q.where((eb) =>
        eb(eb.refTuple('p.full_name', 'p.id'), '>', eb.tuple(after?.[0] as string, after?.[1] as string)),
      ),
    )
    .orderBy('p.full_name')
    .orderBy('p.id')
    .limit(f.pageSize + 1)
    .execute()
  const page = pageOf(rows, f.pageSize, (r) => [r.full_name, r.id])
  const skills = await skillsOf(
    tx,
    f.organisationId,
    page.items.map((p) => p.id),
  )
  return {
    resources: page.items.map((p) => toPersonJson(p, skills.get(p.id) ?? [])),
    next_page_token: page.next_page_token,
  }
}

/** A person with skills, bookings (with their projects) and time off. */
/** Weeks of history and of bookings ahead in a person's utilisation. */
const UTILISATION_WEEKS_BACK = 12
const UTILISATION_WEEKS_AHEAD = 8

export async function getResource(
  tx: Tx,
  personId: string,
  asOf: string,
): Promise<z.infer<typeof resourceDetailSchema>> {
  const person = await personColumns(tx).where('p.id', '=', personId).executeTakeFirst()
  if (!person) throw new AppError('NOT_FOUND', 'Resource not found', { details: { person_id: personId } })
  const org = person.organisation_id
  const weeks = weeksFrom(
    addDays(asOf, -7 * UTILISATION_WEEKS_BACK),
    UTILISATION_WEEKS_BACK + UTILISATION_WEEKS_AHEAD,
  )
  const [skills, allocations, timeOff, loads] = await Promise.all([
    skillsOf(tx, org, [personId]),
    tx
      .selectFrom('allocations as a')
      .innerJoin('projects as pr', (j) =>
        j.onRef('pr.id', '=', 'a.project_id').onRef('pr.organisation_id', '=', 'a.organisation_id'),
      )
      .select([
        'a.id',
        'a.project_id',
        'pr.name as project_name',
        'pr.code as project_code',
        'a.task_id',
        'a.resource_request_id',
        'a.kind',
        'a.starts_on',
        'a.ends_on',
        'a.hours_per_week',
        'a.version',
      ])
      .where('a.organisation_id', '=', org)
      .where('a.person_id', '=', personId)
      .orderBy('a.starts_on')
      .orderBy('a.id')
      .execute(),
    tx
      .selectFrom('time_off')
      .select(['id', 'starts_on', 'ends_on', 'kind', 'hours_per_day'])
      .where('organisation_id', '=', org)
      .where('person_id', '=', personId)
      .orderBy('starts_on')
      .execute(),
    loadByPeriod(tx, org, weeks, [personId]),
  ])
  return {
    ...toPersonJson(person, skills.get(personId) ?? []),
    allocations: allocations.map(({ project_name, project_code, ...a }) => ({
      ...a,
      project: { id: a.project_id, name: project_name, code: project_code },
    })),
    time_off: timeOff,
    utilisation: loads.map((l) => toWeekLoad(l, weeks[l.period] as Period)),
  }
}

// The JSON shapes these queries answer (the routes declare them as response schemas).

export const resourceSchema = z
  .object({
    id: uuidSchema,
    organisation_id: uuidSchema,
    user_id: uuidSchema.nullable(),
    full_name: z.string(),
    email: z.string().nullable(),
    role: z.object({ id: uuidSchema, name: z.string() }),
    level: z.number().int().describe('1 junior .. 5 principal'),
    location: z.object({ id: uuidSchema, name: z.string(), timezone: z.string() }).nullable(),
    cost_rate_minor: moneySchema.describe('Per hour'),
    bill_rate_minor: moneySchema.describe('Per hour'),
    weekly_capacity_hours: decimalSchema,
    utilisation_target_pct: decimalSchema,
    employment_start: dateSchema,
    employment_end: dateSchema.nullable(),
    active: z.boolean(),
    skills: z.array(
      z.object({ skill_id: uuidSchema, name: z.string(), proficiency: z.number().int().describe('1..5') }),
    ),
    version: z.number().int(),
  })
  .meta({ id: 'Resource' })

export const resourceDetailSchema = resourceSchema
  .extend({
    allocations: z.array(
      z.object({
        id: uuidSchema,
        project_id: uuidSchema,
        project: z.object({ id: uuidSchema, name: z.string(), code: z.string() }),
        task_id: uuidSchema.nullable(),
        resource_request_id: uuidSchema.nullable(),
        kind: z.enum(['soft', 'hard']),
        starts_on: dateSchema,
        ends_on: dateSchema,
        hours_per_week: decimalSchema,
        version: z.number().int(),
      }),
    ),
    time_off: z.array(
      z.object({
        id: uuidSchema,
        starts_on: dateSchema,
        ends_on: dateSchema,
        kind: z.enum(['vacation', 'sick', 'parental', 'training', 'other']),
        hours_per_day: decimalSchema,
      }),
    ),
    utilisation: z
      .array(weekLoadSchema)
      .describe('Weekly capacity, bookings and booked time, 12 weeks back and 8 ahead'),
  })
  .meta({ id: 'ResourceDetail' })
