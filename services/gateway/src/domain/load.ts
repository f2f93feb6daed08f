import { addDays, mondayOf } from '@psa/calendar'
import { sql, type Tx } from '@psa/db'
import { z } from 'zod'
import { dateSchema, decimalSchema } from '../schemas/common.js'

/** A closed range of calendar dates (`YYYY-MM-DD`). */
export interface Period {
  starts_on: string
  ends_on: string
}

/** One person's hours in one period, as decimal strings (numeric, exactly as Postgres sums them). */
export interface PersonLoad {
  person_id: string
  period: number
  /** Working-day hours (Mon-Fri, weekly capacity / 5) within employment, less public holidays. */
  capacity_hours: string
  /** Time off on those working days (never more than a day's capacity). */
  time_off_hours: string
  /** Booked hours: an allocation's hours per week, pro rata over the working days it covers. */
  soft_hours: string
  hard_hours: string
  logged_hours: string
  billable_hours: string
}

/**
 * Capacity, bookings and booked time per person per period: the one calculation behind the dashboard's
 * utilisation, the capacity heatmap and a person's utilisation, so they always agree. Active people of the
 * organisation (or the given ones); every person × period pair is answered, zeros included.
 */
export async function loadByPeriod(
  tx: Tx,
  organisationId: string,
  periods: readonly Period[],
  personIds?: readonly string[],
): Promise<PersonLoad[]> {
  if (periods.length === 0) return []
  const starts = periods.map((p) => p.starts_on)
  const ends = periods.map((p) => p.ends_on)
  const people = personIds ? sql`and p.id = any(${[...personIds]}::uuid[])` : sql`and p.active`
  const result = await sql<PersonLoad>`
    with periods as (
      select (ordinality - 1)::int as period, s::date as starts_on, e::date as ends_on
      from unnest(${starts}::date[], ${ends}::date[]) with ordinality as t(s, e)
    ),
    ppl as (
      select p.id, p.location_id, p.weekly_capacity_hours, p.employment_start, p.employment_end
      from public.people p where p.organisation_id = ${organisationId} ${people}
    ),
    days as (
      select pr.period, d::date as day
      from periods pr, generate_series(pr.starts_on, pr.ends_on, interval '1 day') d
      where extract(isodow from d) < 6
    ),
    capacity as (
      select p.id as person_id, d.period,
        sum(case when avail then p.weekly_capacity_hours / 5 else 0 end) as capacity_hours,
        sum(case when avail then least(p.weekly_capacity_hours / 5, coalesce(off.hours, 0)) else 0 end)
          as time_off_hours
      from ppl p cross join days d
      cross join lateral (
        select d.day >= p.employment_start and d.day <= coalesce(p.employment_end, 'infinity'::date)
          and not exists (
            select 1 from public.holidays h
            where h.organisation_id = ${organisationId} and h.location_id = p.location_id
              and h.holiday_date = d.day
          ) as avail
      ) a
      left join lateral (
        select sum(t.hours_per_day) as hours from public.time_off t
        where t.organisation_id = ${organisationId} and t.person_id = p.id
          and d.day between t.starts_on and t.ends_on
      ) off on true
      group by p.id, d.period
    ),
    booked as (
      select a.person_id, pr.period,
        sum(a.hours_per_week * covered.days / 5) filter (where a.kind = 'soft') as soft_hours,
        sum(a.hours_per_week * covered.days / 5) filter (where a.kind = 'hard') as hard_hours
      from public.allocations a
      join periods pr on a.starts_on <= pr.ends_on and a.ends_on >= pr.starts_on
      cross join lateral (
        select count(*)::numeric as days
        from generate_series(greatest(a.starts_on, pr.starts_on), least(a.ends_on, pr.ends_on), interval '1 day') g
        where extract(isodow from g) < 6
      ) covered
      where a.organisation_id = ${organisationId} and a.person_id in (select id from ppl)
      group by a.person_id, pr.period
    ),
    logged as (
      select te.person_id, pr.period, sum(te.hours) as logged_hours,
        sum(te.hours) filter (where te.billable) as billable_hours
      from public.time_entries te
      join periods pr on te.work_date between pr.starts_on and pr.ends_on
      where te.organisation_id = ${organisationId} and te.person_id in (select id from ppl)
      group by te.person_id, pr.period
    )
    select p.id as person_id, pr.period,
      round(coalesce(c.capacity_hours, 0), 2)::text as capacity_hours,
      round(coalesce(c.time_off_hours, 0), 2)::text as time_off_hours,
      round(coalesce(b.soft_hours, 0), 2)::text as soft_hours,
      round(coalesce(b.hard_hours, 0), 2)::text as hard_hours,
      round(coalesce(l.logged_hours, 0), 2)::text as logged_hours,
      round(coalesce(l.billable_hours, 0), 2)::text as billable_hours
    from ppl p cross join periods pr
    left join capacity c on c.person_id = p.id and c.period = pr.period
    left join booked b on b.person_id = p.id and b.period = pr.period
    left join logged l on l.person_id = p.id and l.period = pr.period
    order by p.id, pr.period
  `.execute(tx)
  return result.rows
}

/** `count` Monday-to-Sunday weeks starting with the week of `from`. */
export function weeksFrom(from: string, count: number): Period[] {
  const monday = mondayOf(from)
  return Array.from({ length: count }, (_, i) => ({
    starts_on: addDays(monday, 7 * i),
    ends_on: addDays(monday, 7 * i + 6),
  }))
}

/** Sums decimal strings of hours to a number rounded to hundredths (display figures, not money). */
export function sumHours(values: readonly string[]): number {
  return Math.round(values.reduce((total, v) => total + Number(v) * 100, 0)) / 100
}

/** part / whole in percent with one decimal, or null when the whole is zero. */
export function percent(part: number, whole: number): string | null {
  return whole > 0 ? ((part / whole) * 100).toFixed(1) : null
}

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
