import { formatMoney } from '@psa/agent-models'
import { defineTool, type ToolResult } from '@psa/agent-runtime'
import type { Tx } from '@psa/db'
import { AppError } from '@psa/errors'
import { bookedTime, budgetBurn } from '@psa/project-burn'
import { z } from 'zod'
import { assessProject, type ProjectAssessment } from '../domain/project-health.js'

export const projectStatusInput = z
  .object({
    project_id: z.uuid().optional().describe('The project, when its id is known'),
    project: z.string().trim().min(1).max(200).optional().describe('A project code (e.g. NW-202) or name'),
    client_id: z.uuid().optional().describe('A client whose current projects to report on'),
    client: z.string().trim().min(1).max(200).optional().describe('A client name'),
    all_active: z.boolean().optional().describe('Every active project of the organisation'),
  })
  .refine((v) => v.project_id || v.project || v.client_id || v.client || v.all_active, {
    message: 'name a project (project_id or project), a client (client_id or client), or set all_active',
  })

/** A name that matches many projects is a poor name: the user is asked to narrow it past this many. */
const MAX_MATCHES = 25
/** The portfolio is assessed whole; its detail lists the projects most at risk, this many at the most. */
const MAX_LISTED = 25

interface ProjectRow {
  id: string
  code: string
  name: string
  status: string
  health: string
  budget_minor: string | null
  currency: string
  starts_on: string
  ends_on: string
  client_name: string
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

async function findProjectIds(tx: Tx, input: z.output<typeof projectStatusInput>): Promise<string[]> {
  const base = () => tx.selectFrom('projects').select('id')
  const named = () => base().limit(MAX_MATCHES)
  if (input.project_id) {
    const rows = await base().where('id', '=', input.project_id).execute()
    if (rows.length === 0)
      throw new AppError('NOT_FOUND', 'No such project', { details: { project_id: input.project_id } })
    return rows.map((r) => r.id)
  }
  if (input.project) {
    const text = input.project
    const exact = await named()
      .where((eb) =>
        eb.or([
          eb(eb.fn('lower', ['code']), '=', text.toLowerCase()),
          eb(eb.fn('lower', ['name']), '=', text.toLowerCase()),
        ]),
      )
      .execute()
    if (exact.length > 0) return exact.map((r) => r.id)
    const partial = await named()
      .where('name', 'ilike', `%${escapeLike(text)}%`)
      .orderBy('starts_on', 'desc')
      .execute()
    if (partial.length === 0) throw new AppError('NOT_FOUND', `No project matches "${text}"`)
    return partial.map((r) => r.id)
  }
  if (input.client_id || input.client) {
    const clients = await tx
      .selectFrom('clients')
      .select(['id', 'name'])
      .$if(Boolean(input.client_id), (q) => q.where('id', '=', input.client_id as string))
      .$if(!input.client_id, (q) => q.where('name', 'ilike', `%${escapeLike(input.client as string)}%`))
      .execute()
    if (clients.length === 0)
      throw new AppError('NOT_FOUND', `No client matches "${input.client_id ?? input.client}"`)
    const ids = clients.map((c) => c.id)
    const current = await base()
      .where('client_id', 'in', ids)
      .where('status', 'in', ['active', 'on_hold'])
      .orderBy('starts_on')
      .execute()
    if (current.length > 0) return current.map((r) => r.id)
    const any = await base().where('client_id', 'in', ids).orderBy('starts_on', 'desc').execute()
    if (any.length === 0)
      throw new AppError('NOT_FOUND', `${clients[0]?.name ?? 'The client'} has no projects`)
    return any.map((r) => r.id)
  }
  return (await base().where('status', '=', 'active').orderBy('code').execute()).map((r) => r.id)
}

export interface ProjectStatus extends ProjectAssessment {
  projectId: string
  code: string
  name: string
  client: string
  status: string
  recordedHealth: string
  currency: string
  budgetMinor: number | null
  /** Budget burn: booked time at the project's rate card (AC). */
  burnMinor: number
  /** Booked time at each person's cost rate: what it cost the firm (margin, not burn). */
  costToDateMinor: number
  hoursLogged: number
  startsOn: string
  endsOn: string
}

/** Reads everything the assessment needs for the projects, as the user (RLS decides what they see). */
export async function loadProjectStatuses(
  tx: Tx,
  projectIds: string[],
  today: string,
): Promise<ProjectStatus[]> {
  if (projectIds.length === 0) return []
  const [projects, bookedBy, burnBy, tasks, milestones] = await Promise.all([
    tx
      .selectFrom('projects as p')
      .innerJoin('clients as c', 'c.id', 'p.client_id')
      .select([
        'p.id',
        'p.code',
        'p.name',
        'p.status',
        'p.health',
        'p.budget_minor',
        'p.currency',
        'p.starts_on',
        'p.ends_on',
        'c.name as client_name',
      ])
      .where('p.id', 'in', projectIds)
      .execute() as Promise<ProjectRow[]>,
    bookedTime(tx, projectIds, { through: today }),
    budgetBurn(tx, projectIds, { through: today }),
    tx
      .selectFrom('tasks')
      .select(['project_id', 'estimate_hours', 'percent_complete', 'status', 'starts_on', 'ends_on'])
      .where('project_id', 'in', projectIds)
      .execute(),
    tx
      .selectFrom('milestones')
      .select(['project_id', 'name', 'due_on', 'completed_on'])
      .where('project_id', 'in', projectIds)
      .execute(),
  ])
  // Grouped once: a portfolio holds a thousand projects and tens of thousands of tasks.
  const tasksOf = Map.groupBy(tasks, (t) => t.project_id)
  const milestonesOf = Map.groupBy(milestones, (m) => m.project_id)
  return projects.map((p) => {
    const booked = bookedBy.get(p.id)
    const cost = { cost: Number(booked?.costMinor ?? 0), hours: Number(booked?.hoursLogged ?? 0) }
    const budgetMinor = p.budget_minor === null ? null : Number(p.budget_minor)
    const burnMinor = Number(burnBy.get(p.id)?.burnMinor ?? 0)
    const assessment = assessProject(
      {
        startsOn: p.starts_on,
        endsOn: p.ends_on,
        budgetMinor,
        actualMinor: burnMinor,
        tasks: (tasksOf.get(p.id) ?? []).map((t) => ({
          estimateHours: Number(t.estimate_hours),
          percentComplete: Number(t.percent_complete),
          status: t.status,
          startsOn: t.starts_on,
          endsOn: t.ends_on,
        })),
        milestones: (milestonesOf.get(p.id) ?? []).map((m) => ({
          name: m.name,
          dueOn: m.due_on,
          completedOn: m.completed_on,
        })),
      },
      today,
    )
    return {
      projectId: p.id,
      code: p.code,
      name: p.name,
      client: p.client_name,
      status: p.status,
      recordedHealth: p.health,
      currency: p.currency,
      budgetMinor,
      burnMinor,
      costToDateMinor: cost.cost,
      hoursLogged: cost.hours,
      startsOn: p.starts_on,
      endsOn: p.ends_on,
      ...assessment,
    }
  })
}

const SEVERITY = { red: 0, amber: 1, green: 2 } as const

/** One line for people: health, burn, progress, the most serious finding. */
export function describeStatus(s: ProjectStatus): string {
  const money = (amountMinor: number) => formatMoney({ amountMinor, currency: s.currency })
  const parts = [
    s.burnPct === null
      ? `${money(s.burnMinor)} burned (no budget set)`
      : `${s.burnPct}% of the ${money(s.budgetMinor ?? 0)} budget burned`,
    `${Math.round(s.progressPct)}% complete against ${Math.round(s.plannedPct)}% planned by now`,
  ]
  const ev = s.earnedValue
  if (ev && (ev.cpi !== null || ev.spi !== null)) {
    const index = (name: string, value: number | null) =>
      value === null ? [] : [`${name} ${value.toFixed(2)}`]
    parts.push([...index('CPI', ev.cpi), ...index('SPI', ev.spi)].join(', '))
  }
  if (s.forecastAtCompletionMinor !== null && s.budgetMinor !== null) {
    parts.push(`forecast at completion ${money(s.forecastAtCompletionMinor)}`)
  }
  const why = s.findings.length > 0 ? ` because ${s.findings.join('; ')}` : ''
  return `${s.code} ${s.name} (${s.client}) is ${s.health.toUpperCase()}${why}. ${parts.join(', ')}.`
}

export const getProjectStatus = defineTool({
  name: 'get_project_status',
  description:
    "Status of projects: budget burn (booked time at the project's rate card vs budget), earned value (BAC, PV, EV, AC, CPI, SPI, EAC, ETC, VAC), progress vs plan, late milestones, open/blocked/overdue tasks, and a red/amber/green health with reasons. Name one project (project_id, or a code/name in project), a client (client_id or client: its current projects), or all_active.",
  inputSchema: projectStatusInput,
  run: async (input, ctx): Promise<ToolResult> => {
    const today = ctx.session.today
    const statuses = await ctx.asUser(async (tx) =>
      loadProjectStatuses(tx, await findProjectIds(tx, input), today),
    )
    statuses.sort((a, b) => SEVERITY[a.health] - SEVERITY[b.health] || a.code.localeCompare(b.code))
    const counts = { red: 0, amber: 0, green: 0 }
    for (const s of statuses) counts[s.health]++
    const listed = statuses.slice(0, MAX_LISTED)
    const summary =
      statuses.length === 1
        ? describeStatus(statuses[0] as ProjectStatus)
        : `${statuses.length} projects: ${counts.red} red, ${counts.amber} amber, ${counts.green} green` +
          (listed.length < statuses.length ? `; the ${listed.length} most at risk are listed` : '')
    return {
      summary,
      today,
      total_projects: statuses.length,
      health_counts: counts,
      projects: listed.map((s) => ({
        project_id: s.projectId,
        code: s.code,
        name: s.name,
        client: s.client,
        status: s.status,
        health: s.health,
        recorded_health: s.recordedHealth,
        findings: s.findings,
        currency: s.currency,
        budget_minor: s.budgetMinor,
        burn_minor: s.burnMinor,
        cost_to_date_minor: s.costToDateMinor,
        hours_logged: s.hoursLogged,
        burn_pct: s.burnPct,
        progress_pct: s.progressPct,
        planned_pct: s.plannedPct,
        elapsed_pct: s.elapsedPct,
        schedule_variance_pts: s.scheduleVariancePts,
        forecast_at_completion_minor: s.forecastAtCompletionMinor,
        forecast_variance_minor: s.forecastVarianceMinor,
        earned_value: s.earnedValue && {
          bac_minor: s.earnedValue.bacMinor,
          pv_minor: s.earnedValue.pvMinor,
          ev_minor: s.earnedValue.evMinor,
          ac_minor: s.earnedValue.acMinor,
          cpi: s.earnedValue.cpi,
          spi: s.earnedValue.spi,
          eac_minor: s.earnedValue.eacMinor,
          etc_minor: s.earnedValue.etcMinor,
          vac_minor: s.earnedValue.vacMinor,
        },
        late_milestones: s.lateMilestones.map((m) => ({
          name: m.name,
          due_on: m.dueOn,
          days_late: m.daysLate,
        })),
        next_milestone: s.nextMilestone
          ? { name: s.nextMilestone.name, due_on: s.nextMilestone.dueOn }
          : null,
        open_tasks: s.openTasks,
        blocked_tasks: s.blockedTasks,
        overdue_tasks: s.overdueTasks,
        starts_on: s.startsOn,
        ends_on: s.endsOn,
        line: describeStatus(s),
      })),
    }
  },
})
