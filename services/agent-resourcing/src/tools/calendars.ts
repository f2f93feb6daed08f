import { addDays, mondayOf } from '@psa/calendar'
import { sql, type Tx } from '@psa/db'
import type { PersonCalendar } from '../domain/availability.js'

export interface PersonRow {
  id: string
  full_name: string
  level: number
  role_id: string
  role_name: string
  location_id: string | null
  weekly_capacity_hours: string
  cost_rate_minor: string
  utilisation_target_pct: string
  employment_start: string
  employment_end: string | null
}

export interface PeopleFilter {
  /** The session's organisation: RLS lets a member of several see them all, the request is about one. */
  organisationId?: string
  ids?: readonly string[]
  /** Only people holding this skill at `minProficiency` or above (their proficiency is returned). */
  skill?: { id: string; minProficiency: number }
  /** Only people of this role (case-insensitive name). */
  role?: string
  minLevel?: number
  /** Only active people employed at some point of [from, to]. */
  employedIn?: { from: string; to: string }
}

/** People with their role (and proficiency in the filter's skill), as the user sees them. */
export async function loadPeople(
  tx: Tx,
  filter: PeopleFilter,
): Promise<(PersonRow & { proficiency: number | null })[]> {
  const rows = await tx
    .selectFrom('people as p')
    .innerJoin('roles as r', 'r.id', 'p.role_id')
    .leftJoin('person_skills as ps', (join) =>
      join
        .onRef('ps.person_id', '=', 'p.id')
        .on('ps.skill_id', '=', filter.skill?.id ?? '00000000-0000-0000-0000-000000000000'),
    )
    .select([
      'p.id',
      'p.full_name',
      'p.level',
      'p.role_id',
      'r.name as role_name',
      'p.location_id',
      'p.weekly_capacity_hours',
      'p.cost_rate_minor',
      'p.utilisation_target_pct',
      'p.employment_start',
      'p.employment_end',
      'ps.proficiency',
    ])
    .$if(filter.organisationId !== undefined, (q) =>
      q.where('p.organisation_id', '=', filter.organisationId as string),
    )
    .$if(filter.ids !== undefined, (q) => q.where('p.id', 'in', filter.ids as string[]))
    .$if(filter.skill !== undefined, (q) =>
      q.where('ps.proficiency', '>=', filter.skill?.minProficiency ?? 1),
    )
    .$if(filter.role !== undefined, (q) =>
      q.where(sql`lower(r.name)`, '=', (filter.role as string).toLowerCase()),
    )
    .$if(filter.minLevel !== undefined, (q) => q.where('p.level', '>=', filter.minLevel as number))
    .$if(filter.employedIn !== undefined, (q) => {
      const { from, to } = filter.employedIn as { from: string; to: string }
      return q
        .where('p.active', '=', true)
        .where('p.employment_start', '<=', to)
        .where((eb) => eb.or([eb('p.employment_end', 'is', null), eb('p.employment_end', '>=', from)]))
    })
    .orderBy('p.full_name')
    .execute()
  return rows
}

/**
 * Everything availability needs for these people over [from, to] (whole weeks): holidays at their
 * locations, their time off and their bookings.
 */
export async function loadCalendars(
  tx: Tx,
  people: readonly PersonRow[],
  from: string,
  to: string,
): Promise<Map<string, PersonCalendar>> {
  const calendars = new Map<string, PersonCalendar>()
  if (people.length === 0) return calendars
  const weekStart = mondayOf(from)
  const weekEnd = addDays(mondayOf(to), 6)
  const ids = people.map((p) => p.id)
  const locations = [...new Set(people.map((p) => p.location_id).filter((l): l is string => l !== null))]
  const [holidays, timeOff, allocations] = await Promise.all([
    locations.length === 0
      ? Promise.resolve([])
      : tx
          .selectFrom('holidays')
          .select(['location_id', 'holiday_date'])
          .where('location_id', 'in', locations)
          .where('holiday_date', '>=', weekStart)
          .where('holiday_date', '<=', weekEnd)
          .execute(),
    tx
      .selectFrom('time_off')
      .select(['person_id', 'starts_on', 'ends_on', 'hours_per_day'])
      .where('person_id', 'in', ids)
      .where('starts_on', '<=', weekEnd)
      .where('ends_on', '>=', weekStart)
      .execute(),
    tx
      .selectFrom('allocations')
      .select(['person_id', 'starts_on', 'ends_on', 'hours_per_week', 'kind'])
      .where('person_id', 'in', ids)
      .where('starts_on', '<=', weekEnd)
      .where('ends_on', '>=', weekStart)
      .execute(),
  ])
  for (const p of people) {
    calendars.set(p.id, {
      weeklyCapacityHours: Number(p.weekly_capacity_hours),
      utilisationTargetPct: Number(p.utilisation_target_pct),
      employmentStart: p.employment_start,
      employmentEnd: p.employment_end,
      holidays: new Set(holidays.filter((h) => h.location_id === p.location_id).map((h) => h.holiday_date)),
      timeOff: timeOff
        .filter((t) => t.person_id === p.id)
        .map((t) => ({ startsOn: t.starts_on, endsOn: t.ends_on, hoursPerDay: Number(t.hours_per_day) })),
      allocations: allocations
        .filter((a) => a.person_id === p.id)
        .map((a) => ({
          startsOn: a.starts_on,
          endsOn: a.ends_on,
          hoursPerWeek: Number(a.hours_per_week),
          kind: a.kind,
        })),
    })
  }
  return calendars
}
