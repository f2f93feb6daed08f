import { callTools, finish, lastCall, type PlaybookDecision, type PlaybookInput } from '@psa/agent-models'
import { proposalNote } from '@psa/agent-runtime'

/**
 * The project agent's work on an existing project: baseline, compare with the baseline, replan. The words
 * that say which way a replan goes are data here; the project, person, dates and lengths come from the
 * request parser.
 */

const EARLIER = /\b(earlier|sooner|faster|early|forward|bring|pull|compress|crash|fast-?track)\b/i
const LATER = /\b(later|delay|postpone|push(?:ed)?\s+back|slip|extend|back)\b/i
const START = /\b(start|kick-?off|begin)\b/i
const END = /\b(end|finish|deadline|deliver|go-?live|launch|complete|done)\b/i
const AWAY = /\b(out|away|off|leave|unavailable|holiday|vacation|absent)\b/i

/** The project the request is about: named, selected in the UI, or a question when unclear. */
export function targetProject(input: PlaybookInput): { id: string; name: string } | PlaybookDecision {
  const u = input.understanding
  const named = u.summary.project
  if (named && named.alternatives.length > 0) {
    return finish(
      `Which project do you mean: ${[named.name, ...named.alternatives.map((a) => a.name)].join(' or ')}? I made no changes.`,
    )
  }
  if (named?.id) return { id: named.id, name: named.name }
  const selected = input.context.projectId ?? (input.rawContext.project_id as string | undefined)
  if (typeof selected === 'string') return { id: selected, name: 'the selected project' }
  return finish(
    'Which project? Name it (e.g. "NW-204" or "the Care Coordination Portal") and I will do it. I made no changes.',
  )
}

function isDecision(value: unknown): value is PlaybookDecision {
  return typeof value === 'object' && value !== null && 'type' in value
}

export function baseline(input: PlaybookInput): PlaybookDecision {
  const call = lastCall(input.steps, 'baseline_project')
  if (call) {
    if (call.status !== 'success') return finish(`I could not take the baseline: ${call.text}`)
    const out = call.output as {
      code: string
      name: string
      tasks: number
      milestones: number
      proposal_id: string
    }
    return finish(
      `I proposed baseline "${out.name}" of ${out.code}, a snapshot of ${out.tasks} tasks and ${out.milestones} milestones. ${proposalNote(call.output)}`,
      { result: { proposal_id: out.proposal_id, code: out.code, name: out.name } },
    )
  }
  const project = targetProject(input)
  if (isDecision(project)) return project
  return callTools(`I will snapshot ${project.name}'s current plan as a baseline.`, {
    name: 'baseline_project',
    input: { project_id: project.id },
  })
}

export function compareBaseline(input: PlaybookInput): PlaybookDecision {
  const call = lastCall(input.steps, 'compare_to_baseline')
  if (call) {
    if (call.status !== 'success') return finish(`I could not compare with the baseline: ${call.text}`)
    const out = call.output as {
      summary: string
      milestones: { name: string; slip_days: number }[]
      tasks_moved: unknown[]
      hours_now: number
      hours_baseline: number
    }
    const late = out.milestones.filter((m) => m.slip_days > 0)
    return finish(
      `${out.summary}. ${late.length > 0 ? `Milestones behind the baseline: ${late.map((m) => `${m.name} (+${m.slip_days} d)`).join(', ')}. ` : ''}${out.tasks_moved.length} task(s) moved or changed hours; ${out.hours_now} h planned now against ${out.hours_baseline} h in the baseline.`,
      { result: call.output },
    )
  }
  const project = targetProject(input)
  if (isDecision(project)) return project
  return callTools(`I will compare ${project.name} with its latest baseline.`, {
    name: 'compare_to_baseline',
    input: { project_id: project.id },
  })
}

export function replan(input: PlaybookInput): PlaybookDecision {
  const u = input.understanding
  const call = lastCall(input.steps, 'propose_replan')
  if (call) {
    if (call.status !== 'success') return finish(`I could not replan: ${call.text}`)
    const out = call.output as { summary: string; proposal_id: string | null }
    return finish(
      `${out.summary} ${out.proposal_id ? proposalNote(call.output) : 'Nothing needed to change.'}`,
      {
        result: call.output,
      },
    )
  }
  const project = targetProject(input)
  if (isDecision(project)) return project
  const text = input.request
  const days = u.summary.duration ? Math.round(u.summary.duration.weeks * 7) : null
  const date = u.dates.find((d) => d.from)
  const person = u.entities.find((e) => e.kind === 'person' && e.id)
  const period = u.summary.period ?? (date?.from && date.to ? { from: date.from, to: date.to } : null)
  const ask = (what: string) =>
    finish(
      `I understood you want to replan ${project.name}, but not ${what}. Say e.g. "finish two weeks earlier", "push the start to February" or "Priya is out in March". I made no changes.`,
    )
  let change: Record<string, string | number>
  if (person?.id && AWAY.test(text)) {
    if (!period) return ask(`when ${person.name} is away`)
    change = { change: 'person_unavailable', person_id: person.id, from: period.from, to: period.to }
  } else if (days !== null && EARLIER.test(text)) {
    change = { change: 'finish_earlier', days }
  } else if (days !== null && LATER.test(text)) {
    change = { change: 'finish_later', days }
  } else if (date?.from && START.test(text)) {
    change = { change: 'move_start', date: date.from }
  } else if (date?.from && END.test(text)) {
    change = { change: 'finish_by', date: date.to ?? date.from }
  } else if (days !== null) {
    return ask('whether it should finish earlier or later')
  } else {
    return ask('what changed')
  }
  const what =
    change.change === 'person_unavailable'
      ? `${person?.name} being away ${change.from} to ${change.to}`
      : change.change === 'finish_earlier'
        ? `finishing ${days} days earlier`
        : change.change === 'finish_later'
          ? `finishing ${days} days later`
          : change.change === 'move_start'
            ? `starting on ${change.date}`
            : `finishing by ${change.date}`
  return callTools(`I will propose a replan of ${project.name} for ${what}, with what it costs.`, {
    name: 'propose_replan',
    input: { project_id: project.id, ...change },
  })
}

export function schedule(input: PlaybookInput): PlaybookDecision {
  const call = lastCall(input.steps, 'schedule_project')
  if (call) {
    if (call.status !== 'success') return finish(`I could not schedule the project: ${call.text}`)
    const out = call.output as {
      summary: string
      constraint?: string
      critical_tasks: string[]
      delayed_by_capacity?: { task: string; delay_days: number }[]
    }
    const delayed = (out.delayed_by_capacity ?? []).slice(0, 4)
    return finish(
      `${out.summary}.${out.constraint ? ` What sets the end date: ${out.constraint}.` : ''} Critical path: ${out.critical_tasks.slice(0, 8).join(' → ')}.${delayed.length > 0 ? ` Delayed for capacity: ${delayed.map((d) => `${d.task} (+${d.delay_days} working days)`).join(', ')}.` : ''} Nothing was changed; ask me to replan to act on it.`,
      { result: call.output },
    )
  }
  const project = targetProject(input)
  if (isDecision(project)) return project
  return callTools(
    `I will schedule ${project.name}: the critical path, then levelling against each role's real capacity net of other bookings, time off and holidays.`,
    { name: 'schedule_project', input: { project_id: project.id } },
  )
}
