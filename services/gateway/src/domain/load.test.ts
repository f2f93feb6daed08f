import { addDays } from '@psa/calendar'
import { sql, type Tx } from '@psa/db'
import { demoDataLoaded, demoUser, NORTHWIND_ORGANISATION_ID as NW } from '@psa/demo-data'
import { openTestDatabase, testUser } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadByPeriod, type Period, type PersonLoad, weeksFrom } from './load.js'

/**
 * The definition loadByPeriod is held to, day by day: every weekday of a period within employment and not a
 * public holiday at the person's location counts weekly capacity / 5, less the time off that day (at most
 * that); an allocation counts its hours per week / 5 on each weekday it covers; logged time is summed.
 */
async function perDay(tx: Tx, org: string, periods: readonly Period[], personIds?: readonly string[]) {
  const people = personIds ? sql`and p.id = any(${[...personIds]}::uuid[])` : sql`and p.active`
  const result = await sql<PersonLoad>`
    with periods as (
      select (ordinality - 1)::int as period, s::date as starts_on, e::date as ends_on
      from unnest(${periods.map((p) => p.starts_on)}::date[], ${periods.map((p) => p.ends_on)}::date[])
        with ordinality as t(s, e)
    ),
    ppl as (
      select p.id, p.location_id, p.weekly_capacity_hours, p.employment_start, p.employment_end
      from public.people p where p.organisation_id = ${org} ${people}
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
            where h.organisation_id = ${org} and h.location_id = p.location_id and h.holiday_date = d.day
          ) as avail
      ) a
      left join lateral (
        select sum(t.hours_per_day) as hours from public.time_off t
        where t.organisation_id = ${org} and t.person_id = p.id and d.day between t.starts_on and t.ends_on
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
      where a.organisation_id = ${org} and a.person_id in (select id from ppl)
      group by a.person_id, pr.period
    ),
    logged as (
      select te.person_id, pr.period, sum(te.hours) as logged_hours,
        sum(te.hours) filter (where te.billable) as billable_hours
      from public.time_entries te
      join periods pr on te.work_date between pr.starts_on and pr.ends_on
      where te.organisation_id = ${org} and te.person_id in (select id from ppl)
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

const db = openTestDatabase()
const admin = testUser(demoUser('admin@northwind.example'), NW, 'admin')
const today = new Date().toISOString().slice(0, 10)
let loaded = false

beforeAll(async () => {
  loaded = await demoDataLoaded(db.sql)
})
afterAll(() => db.sql.end())

// Periods that reach every edge: the heatmap's weeks and the dashboard's months, a year of history across
// two new years' holidays, single days (a weekday, a Saturday, Christmas), a weekend, periods that overlap,
// and one before anyone was employed.
const month = `${today.slice(0, 7)}-01`
const PERIODS: Record<string, Period[]> = {
  'the dashboard and heatmap weeks': weeksFrom(addDays(today, -56), 13),
  'the dashboard months': [
    { starts_on: month, ends_on: today },
    { starts_on: `${addDays(month, -1).slice(0, 7)}-01`, ends_on: addDays(month, -1) },
  ],
  'odd periods': [
    { starts_on: addDays(today, -400), ends_on: addDays(today, 60) },
    { starts_on: '2025-12-25', ends_on: '2025-12-25' },
    { starts_on: '2026-12-21', ends_on: '2027-01-03' },
    { starts_on: '2026-11-28', ends_on: '2026-11-29' },
    { starts_on: addDays(today, -3), ends_on: addDays(today, 3) },
    { starts_on: addDays(today, -10), ends_on: addDays(today, 10) },
    { starts_on: '1999-01-01', ends_on: '1999-03-31' },
  ],
}

describe('loadByPeriod', () => {
  it.for(Object.entries(PERIODS))(
    'matches the per-day definition on the demo firm: %s',
    async ([, periods], context) => {
      if (!loaded) context.skip()
      const [fast, reference] = await db.asUser(admin.claims, (tx) =>
        Promise.all([loadByPeriod(tx, NW, periods), perDay(tx, NW, periods)]),
      )
      expect(fast.length).toBe(reference.length)
      expect(fast).toEqual(reference)
      // Not vacuous: the periods hold capacity, holidays, time off, bookings and time.
      for (const field of ['capacity_hours', 'time_off_hours', 'hard_hours'] as const)
        expect(
          fast.some((l) => Number(l[field]) > 0),
          field,
        ).toBe(true)
    },
  )

  it('matches it for chosen people, leavers included', async (context) => {
    if (!loaded) context.skip()
    const periods = PERIODS['odd periods'] as Period[]
    const [fast, reference] = await db.asUser(admin.claims, async (tx) => {
      const people = await tx.selectFrom('people').select('id').where('organisation_id', '=', NW).execute()
      const ids = people.map((p) => p.id)
      return Promise.all([loadByPeriod(tx, NW, periods, ids), perDay(tx, NW, periods, ids)])
    })
    expect(fast).toEqual(reference)
    expect(new Set(fast.map((l) => l.person_id)).size).toBeGreaterThan(50)
  })
})

describe('loadByPeriod with time off that overlaps, exceeds a day or falls on holidays', () => {
  it('matches the per-day definition', async (context) => {
    if (!loaded) context.skip()
    const periods = [
      ...(PERIODS['the dashboard and heatmap weeks'] as Period[]),
      ...(PERIODS['odd periods'] as Period[]),
    ]
    const rollback = new Error('rollback')
    let compared = 0
    await db
      .asService(async (tx) => {
        const people = await tx
          .selectFrom('people')
          .select(['id'])
          .where('organisation_id', '=', NW)
          .where('active', '=', true)
          .orderBy('id')
          .limit(6)
          .execute()
        // Two blocks on the same days (more than a day's capacity together), one over Christmas and New
        // Year, a half day, and one running past the periods.
        const blocks: Array<[number, string, string, number]> = [
          [0, addDays(today, -20), addDays(today, -10), 6],
          [0, addDays(today, -15), addDays(today, -5), 5],
          [1, '2026-12-20', '2027-01-05', 8],
          [2, addDays(today, -2), addDays(today, -2), 4],
          [3, addDays(today, 30), addDays(today, 200), 8],
        ]
        await tx
          .deleteFrom('time_off')
          .where(
            'person_id',
            'in',
            people.slice(0, 4).map((p) => p.id),
          )
          .execute()
        for (const [i, starts_on, ends_on, hours_per_day] of blocks)
          await tx
            .insertInto('time_off')
            .values({
              organisation_id: NW,
              person_id: (people[i] as { id: string }).id,
              starts_on,
              ends_on,
              kind: 'vacation',
              hours_per_day,
            })
            .execute()
        const ids = people.map((p) => p.id)
        const [fast, reference] = await Promise.all([
          loadByPeriod(tx, NW, periods, ids),
          perDay(tx, NW, periods, ids),
        ])
        expect(fast).toEqual(reference)
        compared = fast.filter((l) => Number(l.time_off_hours) > 0).length
        throw rollback
      })
      .catch((err: unknown) => {
        if (err !== rollback && (err as { cause?: unknown }).cause !== rollback) throw err
      })
    expect(compared).toBeGreaterThan(5)
  })
})
