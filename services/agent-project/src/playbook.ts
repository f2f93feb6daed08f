import {
  callTools,
  finish,
  formatMoney,
  lastCall,
  type Playbook,
  type PlaybookDecision,
  type PlaybookInput,
} from '@psa/agent-models'
import { proposalNote } from '@psa/agent-runtime'
import { daysBetween, nextMonday } from '@psa/calendar'
import { baseline, compareBaseline, replan, schedule } from './project-changes-playbook.js'

function titleCase(text: string): string {
  return text
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/(^|\s)(\p{L})/gu, (_m, space: string, letter: string) => space + letter.toUpperCase())
}

function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('')
  return `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`
}

interface PlanOutput {
  proposal_id: string
  project_id: string
  code: string
  client: string
  status: string
  starts_on: string
  ends_on: string
  phases: { name: string; starts_on: string; ends_on: string; weeks: number }[]
  tasks: number
  dependencies: number
  milestones: { name: string; due_on: string }[]
  total_hours: number
  value_minor: number
  budget_minor: number | null
  fits_budget: boolean | null
  currency: string
  notes: string[]
}

interface StatusOutput {
  today: string
  total_projects: number
  health_counts: Record<'red' | 'amber' | 'green', number>
  projects: {
    project_id: string
    code: string
    name: string
    health: 'red' | 'amber' | 'green'
    burn_pct: number | null
    progress_pct: number
    earned_value: { cpi: number | null; spi: number | null } | null
    late_milestones: { name: string; due_on: string; days_late: number }[]
    line: string
  }[]
}

/** Kinds of work with a usual length, used (and said) when the request gives none. */
const USUAL_WEEKS: readonly [RegExp, number][] = [[/\bdiscovery\b/i, 4]]

function plan(input: PlaybookInput): PlaybookDecision {
  const { understanding: u, context, steps } = input
  const call = lastCall(steps, 'propose_project_plan')
  if (call) {
    if (call.status !== 'success') return finish(`I could not create the plan: ${call.text}`)
    const out = call.output as unknown as PlanOutput
    const money = (amountMinor: number) => formatMoney({ amountMinor, currency: out.currency })
    const phases = out.phases.map((p) => `${p.name} (${p.weeks} wk)`).join(', ')
    const budget =
      out.budget_minor === null
        ? `The hours come to ${money(out.value_minor)} at the client's rates.`
        : out.fits_budget
          ? `The hours come to ${money(out.value_minor)} at the client's rates, within the ${money(out.budget_minor)} budget with about 10% kept as contingency.`
          : `The hours come to ${money(out.value_minor)} at the client's rates, which is over the ${money(out.budget_minor)} budget.`
    const notes = out.notes.length > 0 ? ` Note: ${out.notes.join(' ')}` : ''
    return finish(
      `I proposed ${out.code}, a ${out.status} project for ${out.client} from ${out.starts_on} to ${out.ends_on}: ${out.phases.length} phases (${phases}), ${out.tasks} tasks with roles and estimates (${out.total_hours} h), ${out.dependencies} finish-to-start dependencies and ${out.milestones.length} milestones. ${budget}${notes} ${proposalNote(call.output)}`,
      {
        result: {
          proposal_id: out.proposal_id,
          project_id: out.project_id,
          code: out.code,
          starts_on: out.starts_on,
          ends_on: out.ends_on,
          phases: out.phases.length,
          tasks: out.tasks,
          dependencies: out.dependencies,
          milestones: out.milestones.length,
          total_hours: out.total_hours,
          value_minor: out.value_minor,
          budget_minor: out.budget_minor,
        },
      },
    )
  }

  const client = u.summary.client
  if (client && client.alternatives.length > 0) {
    return finish(
      `Which client do you mean: ${listNames([client.name, ...client.alternatives.map((a) => a.name)])}? I made no changes.`,
    )
  }
  const clientId = client?.id ?? context.clientId ?? null
  if (!clientId) {
    return finish(
      'To plan a project I need to know the client it is for; name the client and I will draft the plan. I made no changes.',
    )
  }
  const today = context.today ?? u.today
  const start = u.summary.startDate ?? u.summary.period?.from ?? null
  const end = u.summary.endDate ?? u.summary.period?.to ?? null
  let weeks = u.summary.duration ? Math.round(u.summary.duration.weeks) : null
  if (weeks === null && start && end) {
    weeks = Math.max(2, Math.ceil(daysBetween(start, end) / 7))
  }
  const usual = weeks === null ? USUAL_WEEKS.find(([pattern]) => pattern.test(input.request)) : undefined
  if (weeks === null && usual) weeks = usual[1]
  if (weeks === null) {
    return finish(
      'How long should the project run? Tell me the length (e.g. "12 weeks") or an end date, and I will plan it. I made no changes.',
    )
  }
  if (weeks < 2 || weeks > 156) {
    return finish(`I can plan projects of 2 to 156 weeks; ${weeks} weeks is outside that. I made no changes.`)
  }
  const startsOn = start ?? (today ? nextMonday(today) : null)
  if (!startsOn) return finish('When should the project start? I made no changes.')
  const currency = context.currency ?? null
  const budget = u.summary.budget
  const budgetMinor =
    budget && (!budget.currency || !currency || budget.currency === currency) ? budget.amountMinor : undefined
  const name = u.subject ? titleCase(u.subject.text) : (u.summary.project?.name ?? 'New Project')
  const assumptions: string[] = []
  if (usual)
    assumptions.push(`no length was given, so I used the usual ${usual[1]} weeks for this kind of work`)
  if (!start) assumptions.push(`no start date was given, so I start on the next Monday, ${startsOn}`)
  if (budget && budgetMinor === undefined) {
    assumptions.push(
      `the budget is in ${budget.currency}, not the organisation's ${currency}, so I planned without it`,
    )
  }
  const reasoning = [
    `I will propose a ${weeks}-week plan called "${name}" for ${client?.name ?? 'the client'} starting ${startsOn}${budgetMinor ? `, fitted to a budget of ${formatMoney({ amountMinor: budgetMinor, currency })}` : ''}.`,
    assumptions.length > 0 ? `Assumptions: ${assumptions.join('; ')}.` : '',
  ]
    .filter(Boolean)
    .join(' ')
  return callTools(reasoning, {
    name: 'propose_project_plan',
    input: {
      client_id: clientId,
      name,
      starts_on: startsOn,
      weeks,
      ...(budgetMinor !== undefined && { budget_minor: budgetMinor }),
      ...(u.flags.billingModel && { billing_model: u.flags.billingModel }),
      ...(u.summary.winProbability !== null && { win_probability_pct: u.summary.winProbability }),
    },
  })
}

function status(input: PlaybookInput): PlaybookDecision {
  const { understanding: u, context, steps } = input
  const call = lastCall(steps, 'get_project_status')
  if (call) {
    if (call.status !== 'success') return finish(`I could not get the status: ${call.text}`)
    const out = call.output as unknown as StatusOutput
    if (out.projects.length === 0)
      return finish('There are no projects to report on.', { result: { projects: [] } })
    // The tool assesses every project and lists the most at risk first; the counts cover them all.
    const shown = out.projects.slice(0, 6)
    const more =
      out.total_projects > shown.length ? `\n\n…and ${out.total_projects - shown.length} more.` : ''
    const counts = (['red', 'amber', 'green'] as const).map((h) => `${out.health_counts[h]} ${h}`).join(', ')
    const intro =
      out.total_projects > 1 ? `${out.total_projects} projects as of ${out.today} (${counts}):\n\n` : ''
    return finish(`${intro}${shown.map((p) => `- ${p.line}`).join('\n')}${more}`, {
      result: {
        as_of: out.today,
        total_projects: out.total_projects,
        health_counts: out.health_counts,
        projects: out.projects.map((p) => ({
          project_id: p.project_id,
          code: p.code,
          health: p.health,
          burn_pct: p.burn_pct,
          progress_pct: p.progress_pct,
          cpi: p.earned_value?.cpi ?? null,
          spi: p.earned_value?.spi ?? null,
          late_milestones: p.late_milestones.length,
        })),
      },
    })
  }
  const project = u.summary.project
  if (project && project.alternatives.length > 0) {
    return finish(
      `Which project do you mean: ${listNames([project.name, ...project.alternatives.map((a) => a.name)])}?`,
    )
  }
  const projectId =
    context.projectId ??
    project?.id ??
    (typeof input.rawContext.project_id === 'string' ? input.rawContext.project_id : null)
  if (projectId) {
    return callTools(
      `I will check ${project?.name ?? 'the project'}: budget burn, earned value, progress against the plan, milestones and tasks.`,
      {
        name: 'get_project_status',
        input: { project_id: projectId },
      },
    )
  }
  const client = u.summary.client
  const clientId = client?.id ?? context.clientId ?? null
  if (clientId) {
    return callTools(
      `I will check ${client?.name ?? 'the client'}'s current projects: budget burn, earned value, progress against the plan, milestones and tasks.`,
      {
        name: 'get_project_status',
        input: { client_id: clientId },
      },
    )
  }
  return callTools('No project or client was named, so I will review every active project.', {
    name: 'get_project_status',
    input: { all_active: true },
  })
}

/**
 * The project agent under the offline model: plans ("Plan a 12-week website rebuild for Acme starting 5 Jan,
 * budget $150k") and status checks ("How is Acme doing?", context `{project_id}`), and says plainly what it
 * could not act on.
 */
export const projectPlaybook: Playbook = (input) => {
  const { understanding: u, context } = input
  switch (u.intent) {
    case 'plan':
      return plan(input)
    case 'status_check':
      return status(input)
    case 'baseline':
      return baseline(input)
    case 'compare_baseline':
      return compareBaseline(input)
    case 'replan':
      return replan(input)
    case 'schedule':
      return schedule(input)
    case null:
      if (context.projectId || typeof input.rawContext.project_id === 'string') return status(input)
      return finish(
        'I can plan a new project (for example "Plan a 12-week website rebuild for Acme starting 5 Jan, budget $150k"), report on how a project, a client or the portfolio is doing ("How is NW-204 doing?"), take a baseline or compare with it ("Compare NW-204 to its baseline"), or replan ("Replan NW-201 so it finishes two weeks earlier"), but I could not tell which of those you want. I made no changes.',
      )
    default: {
      const owner = u.agentType ? u.agentType.replaceAll('_', ' ') : 'another'
      return finish(
        `This is a ${u.intent.replaceAll('_', ' ')} request, which the ${owner} agent handles; I plan, baseline, replan and report on projects. I made no changes.`,
      )
    }
  }
}
