import { sql, type Tx } from '@psa/db'
import { type BookedTime, bookedTime, budgetBurn } from '@psa/project-burn'
import { z } from 'zod'
import { dateSchema, decimalSchema, moneySchema } from '../schemas/common.js'

/** Burn at or above this share of the budget puts a project at risk. */
export const BURN_RISK_PCT = 85

export const burnSchema = z
  .object({
    hours_logged: decimalSchema,
    billable_hours: decimalSchema,
    cost_minor: moneySchema.describe('Booked hours at each person’s cost rate'),
    billable_value_minor: moneySchema.describe('Billable hours at each person’s bill rate'),
    burn_minor: moneySchema.describe(
      'Budget burn: booked time at the project’s rate card (billable hours on time and materials, every hour otherwise)',
    ),
    budget_minor: moneySchema.nullable(),
    burn_pct: decimalSchema.nullable().describe('burn_minor / budget_minor, in percent'),
    estimate_hours: decimalSchema,
    percent_complete: decimalSchema.nullable().describe('Estimate-weighted task completion'),
  })
  .describe('Budget burn from booked time')

export type Burn = z.infer<typeof burnSchema>

export const healthReasonSchema = z.object({
  code: z.enum(['budget_burn', 'late_milestone', 'past_end_date', 'behind_baseline', 'marked_health']),
  severity: z.enum(['amber', 'red']),
  message: z.string(),
  due_on: dateSchema.optional(),
})

export type HealthReason = z.infer<typeof healthReasonSchema>

/**
 * Budget burn of several projects from booked time: cost at each person's cost rate, billable value at their
 * bill rate, and the burn (@psa/project-burn's `budgetBurn`: booked time at the project's rate card, the
 * budget's own terms and what the project agent reports), and progress as
 * estimate-weighted task completion. Money stays integer minor units computed in Postgres (numeric, rounded
 * once per entry).
 */
export async function burnByProject(
  tx: Tx,
  organisationId: string,
  projects: readonly { id: string; budget_minor: string | null }[],
): Promise<Map<string, Burn>> {
  if (projects.length === 0) return new Map()
  const ids = projects.map((p) => p.id)
  // Booked time from @psa/project-burn (the figures the project agent reports); the plan's progress here.
  const [booked, burned, plan] = await Promise.all([
    bookedTime(tx, ids),
    budgetBurn(tx, ids),
    sql<{ project_id: string; estimate_hours: string; percent_complete: string | null }>`
      select project_id, sum(estimate_hours)::text as estimate_hours,
        case when coalesce(sum(estimate_hours), 0) = 0 then null
          else round(sum(estimate_hours * percent_complete) / sum(estimate_hours), 1)::text end as percent_complete
      from public.tasks where organisation_id = ${organisationId} and project_id = any(${ids}::uuid[])
      group by project_id`.execute(tx),
  ])
  const progress = new Map(plan.rows.map((r) => [r.project_id, r]))
  const rows = {
    rows: ids.map((project_id) => {
      const t = booked.get(project_id) as BookedTime
      return {
        project_id,
        hours_logged: t.hoursLogged,
        billable_hours: t.billableHours,
        cost_minor: t.costMinor,
        billable_value_minor: t.billableValueMinor,
        burn_minor: burned.get(project_id)?.burnMinor ?? '0',
        estimate_hours: progress.get(project_id)?.estimate_hours ?? '0',
        percent_complete: progress.get(project_id)?.percent_complete ?? null,
      }
    }),
  }
  const budgets = new Map(projects.map((p) => [p.id, p.budget_minor]))
  return new Map(
    rows.rows.map(({ project_id, ...r }) => {
      const budgetMinor = budgets.get(project_id) ?? null
      const budget = budgetMinor === null ? null : BigInt(budgetMinor)
      const burnPct =
        budget === null || budget === 0n
          ? null
          : (Number((BigInt(r.burn_minor) * 1000n) / budget) / 10).toFixed(1)
      return [project_id, { ...r, budget_minor: budgetMinor, burn_pct: burnPct }]
    }),
  )
}

interface HealthInput {
  id: string
  status: string
  health: 'green' | 'amber' | 'red'
  ends_on: string
}

/**
 * Why a project is (or looks) unhealthy, from its burn, its open milestones past due, its end date and its
 * baseline; plus the health a person set when nothing measured explains it. Empty: nothing to worry about.
 */
export async function healthReasons(
  tx: Tx,
  organisationId: string,
  asOf: string,
  projects: readonly HealthInput[],
  burns: Map<string, Burn>,
): Promise<Map<string, HealthReason[]>> {
  const ids = projects.map((p) => p.id)
  const [late, baselines] = await Promise.all([
    sql<{ project_id: string; name: string; due_on: string }>`
      select project_id, name, due_on::text from public.milestones
      where organisation_id = ${organisationId} and project_id = any(${ids}::uuid[])
        and completed_on is null and due_on < ${asOf}::date
      order by due_on, name`.execute(tx),
    sql<{ project_id: string; ends_on: string | null }>`
      select distinct on (project_id) project_id, snapshot->>'ends_on' as ends_on from public.baselines
      where organisation_id = ${organisationId} and project_id = any(${ids}::uuid[])
      order by project_id, created_at desc`.execute(tx),
  ])
  const baselineEnd = new Map(baselines.rows.map((b) => [b.project_id, b.ends_on]))
  const result = new Map<string, HealthReason[]>()
  for (const p of projects) {
    const reasons: HealthReason[] = []
    const open = p.status === 'active' || p.status === 'on_hold'
    const burn = burns.get(p.id)
    const burnPct = burn?.burn_pct === null || burn === undefined ? null : Number(burn.burn_pct)
    if (open && burnPct !== null && burnPct >= BURN_RISK_PCT) {
      const done = burn?.percent_complete === null ? '' : ` with ${burn?.percent_complete}% of the work done`
      reasons.push({
        code: 'budget_burn',
        severity: burnPct >= 100 ? 'red' : 'amber',
        message: `${burn?.burn_pct}% of the budget used${done}`,
      })
    }
    for (const m of late.rows.filter((m) => m.project_id === p.id && open)) {
      reasons.push({
        code: 'late_milestone',
        severity: 'red',
        message: `Milestone “${m.name}” was due ${m.due_on} and is not complete`,
        due_on: m.due_on,
      })
    }
    if (p.status === 'active' && p.ends_on < asOf) {
      reasons.push({
        code: 'past_end_date',
        severity: 'red',
        message: `Still active after its end date ${p.ends_on}`,
      })
    }
    const planned = baselineEnd.get(p.id)
    if (open && planned && planned < p.ends_on) {
      reasons.push({
        code: 'behind_baseline',
        severity: 'amber',
        message: `Ends ${p.ends_on}, later than its baseline’s ${planned}`,
      })
    }
    if (reasons.length === 0 && p.health !== 'green' && open) {
      reasons.push({ code: 'marked_health', severity: p.health, message: `Health set to ${p.health}` })
    }
    result.set(p.id, reasons)
  }
  return result
}
