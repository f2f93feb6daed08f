import { addDays } from '@psa/calendar'
import { sql, type Tx } from '@psa/db'
import { z } from 'zod'
import { dateSchema, decimalSchema, moneySchema, timestampSchema, uuidSchema } from '../schemas/common.js'
import { loadByPeriod, type PersonLoad, percent, sumHours, weeksFrom } from './load.js'
import { type Burn, burnByProject, burnSchema, healthReasonSchema, healthReasons } from './project-health.js'

/** Weeks of history and of bookings ahead on the utilisation chart. */
const WEEKS_BACK = 8
const WEEKS_AHEAD = 4

/**
 * The dashboard in one answer: this month's utilisation (month to date) against the capacity-weighted target,
 * billable hours, revenue and margin from booked time, the projects at risk with their burn, open resource
 * requests, pending proposals, and weekly utilisation (booked time for past weeks, bookings ahead).
 */
export async function getDashboard(
  tx: Tx,
  organisationId: string,
  asOf: string,
): Promise<z.infer<typeof dashboardSchema>> {
  const monthStart = `${asOf.slice(0, 7)}-01`
  // Early in a month its figures are thin: last month's whole figures stand beside them.
  const lastMonthEnd = addDays(monthStart, -1)
  const lastMonthStart = `${lastMonthEnd.slice(0, 7)}-01`
  const weeks = weeksFrom(addDays(asOf, -7 * WEEKS_BACK), WEEKS_BACK + WEEKS_AHEAD + 1)
  const [org, month, weekly, targets, money, projects, requests, proposals] = await Promise.all([
    tx
      .selectFrom('organisations')
      .select(['currency'])
      .where('id', '=', organisationId)
      .executeTakeFirstOrThrow(),
    loadByPeriod(tx, organisationId, [
      { starts_on: monthStart, ends_on: asOf },
      { starts_on: lastMonthStart, ends_on: lastMonthEnd },
    ]),
    loadByPeriod(tx, organisationId, weeks),
    tx
      .selectFrom('people')
      .select(['id', 'utilisation_target_pct', 'weekly_capacity_hours'])
      .where('organisation_id', '=', organisationId)
      .where('active', '=', true)
      .execute(),
    Promise.all([
      revenue(tx, organisationId, monthStart, asOf),
      revenue(tx, organisationId, lastMonthStart, lastMonthEnd),
    ]),
    tx
      .selectFrom('projects as p')
      .innerJoin('clients as c', (j) =>
        j.onRef('c.id', '=', 'p.client_id').onRef('c.organisation_id', '=', 'p.organisation_id'),
      )
      .select([
        'p.id',
        'p.code',
        'p.name',
        'p.status',
        'p.health',
        'p.ends_on',
        'p.budget_minor',
        'c.id as client_id',
        'c.name as client_name',
      ])
      .where('p.organisation_id', '=', organisationId)
      .where('p.status', 'in', ['active', 'on_hold'])
      .orderBy('p.code')
      .execute(),
    sql<{
      id: string
      project_id: string
      project_code: string
      project_name: string
      role_name: string
      skill_name: string | null
      min_proficiency: number | null
      hours_per_week: string
      starts_on: string
      ends_on: string
    }>`
      select rr.id, pr.id as project_id, pr.code as project_code, pr.name as project_name, r.name as role_name,
        s.name as skill_name, rr.min_proficiency, rr.hours_per_week::text, rr.starts_on::text, rr.ends_on::text
      from public.resource_requests rr
      join public.projects pr on pr.id = rr.project_id and pr.organisation_id = rr.organisation_id
      join public.roles r on r.id = rr.role_id and r.organisation_id = rr.organisation_id
      left join public.skills s on s.id = rr.skill_id and s.organisation_id = rr.organisation_id
      where rr.organisation_id = ${organisationId} and rr.status = 'open' and rr.ends_on >= ${asOf}::date
      order by rr.starts_on, pr.code, rr.id
    `.execute(tx),
    tx
      .selectFrom('proposals')
      .select(['id', 'title', 'agent_type', 'session_id', 'created_at'])
      .where('organisation_id', '=', organisationId)
      .where('status', '=', 'pending')
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute(),
  ])

  const burns = await burnByProject(tx, organisationId, projects)
  const reasons = await healthReasons(tx, organisationId, asOf, projects, burns)
  const atRisk = projects
    .filter((p) => (reasons.get(p.id) ?? []).length > 0)
    .map((p) => ({
      id: p.id,
      code: p.code,
      name: p.name,
      status: p.status,
      health: p.health,
      client: { id: p.client_id, name: p.client_name },
      burn: burns.get(p.id) as Burn,
      reasons: reasons.get(p.id) ?? [],
    }))

  const figures = (period: number) => {
    const rows = month.filter((l) => l.period === period)
    const capacity = sumHours(rows.map((l) => net(l)))
    const billable = sumHours(rows.map((l) => l.billable_hours))
    return {
      utilisation_pct: percent(billable, capacity),
      target_pct: weightedTarget(targets),
      capacity_hours: capacity.toFixed(2),
      logged_hours: sumHours(rows.map((l) => l.logged_hours)).toFixed(2),
      billable_hours: billable.toFixed(2),
    }
  }
  return {
    as_of: asOf,
    currency: org.currency,
    period: { starts_on: monthStart, ends_on: asOf },
    utilisation: figures(0),
    revenue: money[0],
    last_month: {
      period: { starts_on: lastMonthStart, ends_on: lastMonthEnd },
      utilisation: figures(1),
      revenue: money[1],
    },
    projects_at_risk: atRisk,
    open_resource_requests: {
      count: requests.rows.length,
      hours_per_week: sumHours(requests.rows.map((r) => r.hours_per_week)).toFixed(2),
      items: requests.rows.slice(0, 10).map((r) => ({
        id: r.id,
        project: { id: r.project_id, code: r.project_code, name: r.project_name },
        role_name: r.role_name,
        skill_name: r.skill_name,
        min_proficiency: r.min_proficiency,
        hours_per_week: r.hours_per_week,
        starts_on: r.starts_on,
        ends_on: r.ends_on,
      })),
    },
    pending_proposals: {
      count: proposals.length,
      items: proposals.slice(0, 5).map((p) => ({ ...p, created_at: p.created_at.toISOString() })),
    },
    utilisation_by_week: weeks.map((w, i) => {
      const rows = weekly.filter((l) => l.period === i)
      const weekCapacity = sumHours(rows.map((l) => net(l)))
      const weekBillable = sumHours(rows.map((l) => l.billable_hours))
      const booked = sumHours(rows.map((l) => l.hard_hours)) + sumHours(rows.map((l) => l.soft_hours))
      return {
        week_start: w.starts_on,
        past: w.ends_on < asOf,
        capacity_hours: weekCapacity.toFixed(2),
        billable_hours: weekBillable.toFixed(2),
        booked_hours: booked.toFixed(2),
        utilisation_pct: percent(weekBillable, weekCapacity),
        booked_pct: percent(booked, weekCapacity),
      }
    }),
  }
}

/** Billable value at bill rates, cost of all booked time at cost rates, and the margin between them. */
async function revenue(tx: Tx, organisationId: string, from: string, to: string) {
  const result = await sql<{ billable_value_minor: string; cost_minor: string }>`
    select coalesce(sum(round(te.hours * p.bill_rate_minor)) filter (where te.billable), 0)::bigint::text
        as billable_value_minor,
      coalesce(sum(round(te.hours * p.cost_rate_minor)), 0)::bigint::text as cost_minor
    from public.time_entries te
    join public.people p on p.id = te.person_id and p.organisation_id = te.organisation_id
    where te.organisation_id = ${organisationId} and te.work_date between ${from}::date and ${to}::date
  `.execute(tx)
  const { billable_value_minor: value, cost_minor: cost } = result.rows[0] as {
    billable_value_minor: string
    cost_minor: string
  }
  const margin = BigInt(value) - BigInt(cost)
  return {
    billable_value_minor: value,
    cost_minor: cost,
    margin_minor: margin.toString(),
    margin_pct: BigInt(value) === 0n ? null : (Number((margin * 1000n) / BigInt(value)) / 10).toFixed(1),
  }
}

/** Capacity left once time off is taken. */
export function net(load: PersonLoad): string {
  return (Number(load.capacity_hours) - Number(load.time_off_hours)).toFixed(2)
}

function weightedTarget(
  people: { utilisation_target_pct: string; weekly_capacity_hours: string }[],
): string | null {
  const capacity = people.reduce((total, p) => total + Number(p.weekly_capacity_hours), 0)
  if (capacity === 0) return null
  const weighted = people.reduce(
    (t, p) => t + Number(p.utilisation_target_pct) * Number(p.weekly_capacity_hours),
    0,
  )
  return (weighted / capacity).toFixed(1)
}

const utilisationSchema = z.object({
  utilisation_pct: decimalSchema.nullable().describe('Billable hours / capacity less time off'),
  target_pct: decimalSchema.nullable().describe('Utilisation targets weighted by weekly capacity'),
  capacity_hours: decimalSchema,
  logged_hours: decimalSchema,
  billable_hours: decimalSchema,
})

const revenueSchema = z.object({
  billable_value_minor: moneySchema.describe('Billable hours at bill rates'),
  cost_minor: moneySchema.describe('All booked hours at cost rates'),
  margin_minor: moneySchema,
  margin_pct: decimalSchema.nullable(),
})

export const dashboardSchema = z
  .object({
    as_of: dateSchema,
    currency: z.string().length(3),
    period: z.object({ starts_on: dateSchema, ends_on: dateSchema }).describe('This month, to date'),
    utilisation: utilisationSchema,
    revenue: revenueSchema,
    last_month: z
      .object({
        period: z.object({ starts_on: dateSchema, ends_on: dateSchema }),
        utilisation: utilisationSchema,
        revenue: revenueSchema,
      })
      .describe('The whole previous month, for comparison'),
    projects_at_risk: z.array(
      z.object({
        id: uuidSchema,
        code: z.string(),
        name: z.string(),
        status: z.string(),
        health: z.enum(['green', 'amber', 'red']),
        client: z.object({ id: uuidSchema, name: z.string() }),
        burn: burnSchema,
        reasons: z.array(healthReasonSchema),
      }),
    ),
    open_resource_requests: z.object({
      count: z.number().int(),
      hours_per_week: decimalSchema,
      items: z.array(
        z.object({
          id: uuidSchema,
          project: z.object({ id: uuidSchema, code: z.string(), name: z.string() }),
          role_name: z.string(),
          skill_name: z.string().nullable(),
          min_proficiency: z.number().int().nullable(),
          hours_per_week: decimalSchema,
          starts_on: dateSchema,
          ends_on: dateSchema,
        }),
      ),
    }),
    pending_proposals: z.object({
      count: z.number().int(),
      items: z.array(
        z.object({
          id: uuidSchema,
          title: z.string(),
          agent_type: z.string(),
          session_id: uuidSchema,
          created_at: timestampSchema,
        }),
      ),
    }),
    utilisation_by_week: z.array(
      z.object({
        week_start: dateSchema,
        past: z.boolean().describe('The week ended before as_of (its figures are booked time)'),
        capacity_hours: decimalSchema,
        billable_hours: decimalSchema,
        booked_hours: decimalSchema.describe('Soft and hard bookings'),
        utilisation_pct: decimalSchema.nullable(),
        booked_pct: decimalSchema.nullable(),
      }),
    ),
  })
  .meta({ id: 'Dashboard' })
