import { addDays, earliest, latest, mondayOf } from '@psa/calendar'
import { sql, type Tx } from '@psa/db'
import type { RawBuilder } from 'kysely'
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
 * Weekdays (Monday to Friday) in [from, to], zero when to < from: the weekdays before `to + 1` less those
 * before `from`, each counted arithmetically from a Monday (1 January of year 1), so no calendar is walked.
 */
function weekdays(from: RawBuilder<unknown>, to: RawBuilder<unknown>): RawBuilder<number> {
  const before = (day: RawBuilder<unknown>) =>
    sql`(5 * ((${day} - date '0001-01-01') / 7) + least((${day} - date '0001-01-01') % 7, 5))`
  return sql<number>`greatest(0, ${before(sql`(${to} + 1)`)} - ${before(from)})`
}

/**
 * Capacity, bookings and booked time per person per period: the one calculation behind the dashboard's
 * utilisation, the capacity heatmap and a person's utilisation, so they always agree. Active people of the
 * organisation (or the given ones); every person × period pair is answered, zeros included.
 *
 * Set-based, one pass over each table per call: working days and bookings are counted arithmetically per
 * person (or allocation) and period, holidays are counted per location, and only the days someone is
 * off are walked one by one (time off is capped at a day's capacity per day). load.test.ts holds it to
 * the per-day definition.
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
  const first = earliest(starts)
  const last = latest(ends)
  // Every day of every period, listed here so the planner knows how few there are (it would guess a
  // thousand per generate_series and sort the time entries to merge them in).
  const days: string[] = []
  const dayPeriods: number[] = []
  periods.forEach((p, i) => {
    for (let day = p.starts_on; day <= p.ends_on; day = addDays(day, 1)) {
      days.push(day)
      dayPeriods.push(i)
    }
  })
  const people = personIds ? sql`and p.id = any(${[...personIds]}::uuid[])` : sql`and p.active`
  // Each person's part of a period: the days of it within their employment (least() skips a null end).
  const employedFrom = sql`greatest(pr.starts_on, p.employment_start)`
  const employedTo = sql`least(pr.ends_on, p.employment_end)`
  // Hours are summed as whole thousandths (every input is numeric(5, 2) and a day is a fifth of a week, so
  // each figure is an exact number of them): integer sums, where numeric ones cost several times as much.
  const hours = (milli: RawBuilder<unknown>) => sql`round(${milli}::numeric / 1000, 2)::text`
  // A firm's weeks are tens of thousands of person × period rows: sorted and hashed in memory rather than
  // spilled to disk at the default 4 MB (for the rest of this transaction, which is one request's).
  await sql`select set_config('work_mem', '32MB', true)`.execute(tx)
  const result = await sql<PersonLoad>`
    with periods as (
      select (ordinality - 1)::int as period, s::date as starts_on, e::date as ends_on
      from unnest(${starts}::date[], ${ends}::date[]) with ordinality as t(s, e)
    ),
    period_days as (
      select p as period, d as day from unnest(${dayPeriods}::int[], ${days}::date[]) as t(p, d)
    ),
    ppl as (
      select p.id, p.location_id, (p.weekly_capacity_hours * 200)::int as day_milli, p.employment_start,
        p.employment_end
      from public.people p where p.organisation_id = ${organisationId} ${people}
    ),
    holidays as (
      select h.location_id, h.holiday_date
      from public.holidays h
      where h.organisation_id = ${organisationId} and extract(isodow from h.holiday_date) < 6
        and h.holiday_date between ${first}::date and ${last}::date
    ),
    -- Each location's weekday holidays per period; a person employed for only part of it counts their part.
    period_holidays as (
      select h.location_id, pd.period, array_agg(h.holiday_date) as days
      from holidays h join period_days pd on pd.day = h.holiday_date
      group by h.location_id, pd.period
    ),
    working as (
      select p.id as person_id, pr.period,
        p.day_milli * greatest(0, ${weekdays(employedFrom, employedTo)} - case
          when ph.days is null then 0
          when p.employment_start <= pr.starts_on and coalesce(p.employment_end, pr.ends_on) >= pr.ends_on
            then cardinality(ph.days)
          else (select count(*) from unnest(ph.days) d where d between ${employedFrom} and ${employedTo})
        end) as capacity
      from ppl p cross join periods pr
      left join period_holidays ph on ph.location_id = p.location_id and ph.period = pr.period
    ),
    -- Time off by day (blocks may overlap), at most a day's capacity, on working days only.
    off_days as (
      select t.person_id, pr.period, least(min(p.day_milli), sum((t.hours_per_day * 1000)::int)) as time_off
      from public.time_off t
      join ppl p on p.id = t.person_id
      join periods pr on t.starts_on <= pr.ends_on and t.ends_on >= pr.starts_on
      cross join generate_series(
        greatest(t.starts_on, ${employedFrom}), least(t.ends_on, ${employedTo}), interval '1 day'
      ) d
      where t.organisation_id = ${organisationId} and extract(isodow from d) < 6
        and not exists (
          select 1 from holidays h where h.location_id = p.location_id and h.holiday_date = d::date
        )
      group by t.person_id, pr.period, d::date
    ),
    -- An allocation's hours per week, pro rata over the weekdays of the period it covers.
    booked as (
      select a.person_id, pr.period,
        sum(covered.milli) filter (where a.kind = 'soft') as soft,
        sum(covered.milli) filter (where a.kind = 'hard') as hard
      from public.allocations a
      join periods pr on a.starts_on <= pr.ends_on and a.ends_on >= pr.starts_on
      cross join lateral (
        select (a.hours_per_week * 200)::int
          * ${weekdays(sql`greatest(a.starts_on, pr.starts_on)`, sql`least(a.ends_on, pr.ends_on)`)} as milli
      ) covered
      where a.organisation_id = ${organisationId} and a.person_id in (select id from ppl)
      group by a.person_id, pr.period
    ),
    logged as (
      select te.person_id, pd.period, sum((te.hours * 1000)::int) as logged,
        sum((te.hours * 1000)::int) filter (where te.billable) as billable
      from public.time_entries te
      join period_days pd on pd.day = te.work_date
      where te.organisation_id = ${organisationId} and te.person_id in (select id from ppl)
        and te.work_date between ${first}::date and ${last}::date
      group by te.person_id, pd.period
    ),
    time_off as (
      select person_id, period, sum(time_off) as time_off from off_days group by person_id, period
    )
    select w.person_id, w.period,
      ${hours(sql`w.capacity`)} as capacity_hours,
      ${hours(sql`coalesce(o.time_off, 0)`)} as time_off_hours,
      ${hours(sql`coalesce(b.soft, 0)`)} as soft_hours,
      ${hours(sql`coalesce(b.hard, 0)`)} as hard_hours,
      ${hours(sql`coalesce(l.logged, 0)`)} as logged_hours,
      ${hours(sql`coalesce(l.billable, 0)`)} as billable_hours
    from working w
    left join time_off o on o.person_id = w.person_id and o.period = w.period
    left join booked b on b.person_id = w.person_id and b.period = w.period
    left join logged l on l.person_id = w.person_id and l.period = w.period
    order by w.person_id, w.period
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
