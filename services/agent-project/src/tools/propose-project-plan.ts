import { formatMoney } from '@psa/agent-models'
import { defineTool, type ToolResult } from '@psa/agent-runtime'
import type { ChangesetOperation } from '@psa/changesets'
import { AppError } from '@psa/errors'
import { TEMPLATE_NAMES, type TemplateName } from '@psa/project-templates'
import { z } from 'zod'
import { buildPlan, chooseTemplate, type PlanRole } from '../domain/plan-template.js'
import { billRatesOn } from './rate-card.js'

export const proposePlanInput = z.object({
  client_id: z.uuid().describe('The client the project is for'),
  name: z.string().trim().min(2).max(120).describe('Project name, e.g. "Website Rebuild"'),
  starts_on: z.iso.date().describe('First day (YYYY-MM-DD); a weekend moves to the Monday after'),
  weeks: z.number().int().min(2).max(156).describe('Length in weeks'),
  budget_minor: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Budget in minor units of the organisation currency'),
  billing_model: z.enum(['time_and_materials', 'fixed_fee', 'retainer']).optional(),
  status: z.enum(['tentative', 'active']).optional().describe('Default tentative (not yet won)'),
  win_probability_pct: z.number().min(0).max(100).optional().describe('For a tentative project; default 50'),
  template: z
    .enum(TEMPLATE_NAMES as [TemplateName, ...TemplateName[]])
    .optional()
    .describe(
      'website, software, data, mobile_app, erp_rollout, discovery or generic; default: chosen from the name',
    ),
  description: z.string().max(2_000).optional(),
})

/** A short project code from the name's initials and the start month, e.g. "WR-2701". */
export function projectCodeBase(name: string, startsOn: string): string {
  const words = name.match(/[A-Za-z0-9]+/g) ?? ['P']
  let initials = words
    .map((w) => w[0] as string)
    .join('')
    .toUpperCase()
    .slice(0, 4)
  if (initials.length < 2) initials = (words[0] ?? 'PRJ').slice(0, 3).toUpperCase()
  return `${initials}-${startsOn.slice(2, 4)}${startsOn.slice(5, 7)}`
}

export const proposeProjectPlan = defineTool({
  name: 'propose_project_plan',
  description:
    'Propose a new project with a phased plan: phases sized to the length, tasks with roles and hour estimates fitted to the budget (10% kept as contingency), dependencies of every type the template uses (finish-to-start, start-to-start, finish-to-finish) with lags, and a milestone per phase. Creates a proposal (a changeset) for a person to apply; changes nothing by itself unless the request asked for auto-apply (see auto_apply in the result).',
  inputSchema: proposePlanInput,
  run: async (input, ctx): Promise<ToolResult> => {
    const loaded = await ctx.asUser(async (tx) => {
      const client = await tx
        .selectFrom('clients')
        .select(['id', 'name', 'default_rate_card_id'])
        .where('id', '=', input.client_id)
        .executeTakeFirst()
      if (!client)
        throw new AppError('NOT_FOUND', 'No such client', { details: { client_id: input.client_id } })
      const roles = await tx
        .selectFrom('roles')
        .select(['id', 'name', 'bill_rate_minor', 'cost_rate_minor'])
        .execute()
      const cardRates = client.default_rate_card_id
        ? await billRatesOn(tx, client.default_rate_card_id, input.starts_on)
        : new Map<string, number>()
      const base = projectCodeBase(input.name, input.starts_on)
      const taken = await tx.selectFrom('projects').select('code').where('code', 'like', `${base}%`).execute()
      return { client, roles, cardRates, base, taken: new Set(taken.map((t) => t.code)) }
    })
    const roles: PlanRole[] = loaded.roles.map((r) => ({
      id: r.id,
      name: r.name,
      billRateMinor: loaded.cardRates.get(r.id) ?? Number(r.bill_rate_minor),
      costRateMinor: Number(r.cost_rate_minor),
    }))
    const template = input.template ?? chooseTemplate(`${input.name} ${input.description ?? ''}`)
    const plan = buildPlan({
      startsOn: input.starts_on,
      weeks: input.weeks,
      budgetMinor: input.budget_minor ?? null,
      template,
      roles,
    })
    let code = loaded.base
    for (let n = 2; loaded.taken.has(code); n++) code = `${loaded.base}-${n}`

    const status = input.status ?? 'tentative'
    // Ids derive from the session and what the plan is, so a restarted attempt proposes identical rows.
    const planKey = [input.client_id, input.name, input.starts_on, String(input.weeks)]
    const id = (...parts: string[]) => ctx.id('plan', ...planKey, ...parts)
    const projectId = id('project')
    const taskId = (key: string) => id('task', key)
    const phaseId = (key: string) => id('phase', key)
    const operations: ChangesetOperation[] = [
      {
        op: 'insert',
        table: 'projects',
        values: {
          id: projectId,
          client_id: input.client_id,
          name: input.name,
          code,
          description:
            input.description ?? `Planned by the project agent from: ${ctx.session.request}`.slice(0, 2_000),
          status,
          win_probability_pct: status === 'tentative' ? (input.win_probability_pct ?? 50) : null,
          billing_model: input.billing_model ?? 'time_and_materials',
          budget_minor: input.budget_minor ?? null,
          currency: ctx.session.currency,
          starts_on: plan.startsOn,
          ends_on: plan.endsOn,
          health: 'green',
          rate_card_id: loaded.client.default_rate_card_id,
        },
      },
      ...plan.phases.map(
        (p): ChangesetOperation => ({
          op: 'insert',
          table: 'phases',
          values: {
            id: phaseId(p.key),
            project_id: projectId,
            name: p.name,
            sequence: p.sequence,
            starts_on: p.startsOn,
            ends_on: p.endsOn,
          },
        }),
      ),
      ...plan.tasks.map(
        (t): ChangesetOperation => ({
          op: 'insert',
          table: 'tasks',
          values: {
            id: taskId(t.key),
            project_id: projectId,
            phase_id: t.phaseKey ? phaseId(t.phaseKey) : null,
            name: t.name,
            role_id: t.roleId,
            estimate_hours: t.estimateHours,
            starts_on: t.startsOn,
            ends_on: t.endsOn,
            status: 'not_started',
            percent_complete: 0,
          },
        }),
      ),
      ...plan.dependencies.map(
        (d): ChangesetOperation => ({
          op: 'insert',
          table: 'task_dependencies',
          values: {
            id: id('dependency', d.from, d.to),
            project_id: projectId,
            predecessor_task_id: taskId(d.from),
            successor_task_id: taskId(d.to),
            dependency_type: d.type,
            lag_days: d.lagDays,
          },
        }),
      ),
      ...plan.milestones.map(
        (m): ChangesetOperation => ({
          op: 'insert',
          table: 'milestones',
          values: { id: id('milestone', m.key), project_id: projectId, name: m.name, due_on: m.dueOn },
        }),
      ),
    ]
    const money = (amountMinor: number) => formatMoney({ amountMinor, currency: ctx.session.currency })
    const budgetNote =
      input.budget_minor === undefined
        ? 'no budget given'
        : plan.valueMinor <= input.budget_minor
          ? `within the ${money(input.budget_minor)} budget`
          : `over the ${money(input.budget_minor)} budget`
    const summary = `${input.weeks}-week plan for ${loaded.client.name}: ${plan.phases.length} phases, ${plan.tasks.length} tasks, ${plan.dependencies.length} dependencies, ${plan.milestones.length} milestones, ${plan.totalHours} h worth ${money(plan.valueMinor)} (${budgetNote}), ${plan.startsOn} to ${plan.endsOn}`
    const proposal = await ctx.propose({
      title: `Plan ${code} ${input.name} for ${loaded.client.name}`,
      summary,
      changeset: { version: 1, operations },
    })
    return {
      summary: `Proposed ${code}: ${summary}`,
      proposal_id: proposal.proposalId,
      created: proposal.created,
      project_id: projectId,
      code,
      client: loaded.client.name,
      status,
      template,
      starts_on: plan.startsOn,
      ends_on: plan.endsOn,
      phases: plan.phases.map((p) => ({
        name: p.name,
        starts_on: p.startsOn,
        ends_on: p.endsOn,
        weeks: p.weeks,
      })),
      tasks: plan.tasks.length,
      dependencies: plan.dependencies.length,
      milestones: plan.milestones.map((m) => ({ name: m.name, due_on: m.dueOn })),
      total_hours: plan.totalHours,
      value_minor: plan.valueMinor,
      cost_minor: plan.costMinor,
      budget_minor: input.budget_minor ?? null,
      fits_budget: input.budget_minor === undefined ? null : plan.valueMinor <= input.budget_minor,
      currency: ctx.session.currency,
      notes: plan.notes,
    }
  },
})
