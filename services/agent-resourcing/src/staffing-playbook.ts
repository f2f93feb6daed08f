import { callTools, finish, lastCall, type PlaybookDecision, type PlaybookInput } from '@psa/agent-models'
import { proposalNote } from '@psa/agent-runtime'

/**
 * Staffing a set of open requests under the offline model ("Staff all open requests for NW-204", "staff the
 * open roles at lowest cost", "fill Cedar Health's open requests, best fit first"): one staff_requests call
 * with the scope and the objective read from the words, then the answer from its result.
 */

/** Scope from the request: a project or client named, or in the context. */
export function scope(input: PlaybookInput): { project_id: string } | { client_id: string } | null {
  const u = input.understanding
  const { context, rawContext } = input
  const projectId =
    context.projectId ??
    u.summary.project?.id ??
    (typeof rawContext.project_id === 'string' ? rawContext.project_id : null)
  if (projectId) return { project_id: projectId }
  const clientId =
    context.clientId ??
    u.summary.client?.id ??
    (typeof rawContext.client_id === 'string' ? rawContext.client_id : null)
  return clientId ? { client_id: clientId } : null
}

interface StaffOut {
  summary: string
  objective: { name: string; value: number; optimal: boolean; gap: number | null; lp_bound: number | null }
  greedy: { value: number; staffed: number; beaten_by: number }
  assignments: {
    request: string
    name: string
    hours_per_week: number
    starts_on: string
    ends_on: string
    runner_up: { name: string; why: string } | null
  }[]
  unstaffed: { request: string; reason: string; message: string }[]
  proposal_id: string | null
  truncated: boolean
  added_week_by_week: string[]
}

const OBJECTIVE_WORDS: Record<string, string> = {
  cost: 'the lowest cost',
  fit: 'the best skill fit',
  balance: 'keeping people under their utilisation targets',
  blend: 'cost, skill fit and utilisation weighed equally',
  custom: 'your weights',
}

function answer(out: StaffOut, note: string): string {
  const o = out.objective
  const proof = o.optimal
    ? 'proven optimal'
    : `at most ${Math.round((o.gap ?? 1) * 1000) / 10}% from the optimum${o.lp_bound !== null ? ` (LP bound ${o.lp_bound})` : ''}`
  const head = `I staffed ${out.assignments.length} request(s) optimising ${OBJECTIVE_WORDS[o.name] ?? o.name}: objective ${o.value}, ${proof}. Staffing one request at a time (greedy) scores ${out.greedy.value} and staffs ${out.greedy.staffed}${out.greedy.beaten_by > 0 ? `; this plan is better by ${out.greedy.beaten_by}` : ''}.`
  const added =
    out.added_week_by_week.length > 0
      ? ` The optimiser gives each person one weekly capacity (their tightest week); ${out.added_week_by_week.join(', ')} fitted week by week next to its plan, so I added ${out.added_week_by_week.length === 1 ? 'it' : 'them'} (the proof covers the plan before that).`
      : ''
  const booked = out.assignments
    .map(
      (a) =>
        `- ${a.request}: ${a.name}, ${a.hours_per_week} h/week ${a.starts_on} to ${a.ends_on}${a.runner_up ? ` (runner-up ${a.runner_up.name}: ${a.runner_up.why})` : ''}`,
    )
    .join('\n')
  const open = out.unstaffed.map((u) => `- ${u.request}: ${u.message}`).join('\n')
  return [
    `${head}${added}`,
    booked,
    out.unstaffed.length > 0 ? `Not staffed:\n${open}` : '',
    out.proposal_id ? note : 'I proposed no bookings.',
    out.truncated
      ? 'More open requests matched than one proposal holds; I left the later-starting ones for another round (narrow the scope, or ask again once this is applied).'
      : '',
  ]
    .filter(Boolean)
    .join('\n\n')
}

export function staffRequestsFlow(input: PlaybookInput): PlaybookDecision {
  const u = input.understanding
  const call = lastCall(input.steps, 'staff_requests')
  if (call) {
    if (call.status !== 'success')
      return finish(`I could not staff the requests: ${call.text}`, { result: { proposed: false } })
    const out = call.output as unknown as StaffOut
    if (out.assignments.length === 0 && out.unstaffed.length === 0)
      return finish('There are no open resource requests to staff there. I made no changes.', {
        result: { proposal_id: null, staffed: 0, unstaffed: 0 },
      })
    return finish(answer(out, proposalNote(call.output)), {
      result: {
        proposal_id: out.proposal_id,
        objective: out.objective.name,
        objective_value: out.objective.value,
        optimal: out.objective.optimal,
        greedy_value: out.greedy.value,
        staffed: out.assignments.length,
        unstaffed: out.unstaffed.length,
        // Kept under its old name: callers read how many requests stayed open.
        unfilled: out.unstaffed.length,
      },
    })
  }
  const role = u.roles[0]?.knownRole
  const skill = u.skills[0]?.skill ?? u.roles[0]?.skill ?? undefined
  const period = u.summary.period
  const objective = u.flags.staffingObjective ?? 'blend'
  const where = scope(input) ?? { all_open: true as const }
  const scopeWords =
    'all_open' in where ? 'every open request in the organisation' : 'the open requests there'
  return callTools(
    `I staff ${scopeWords}${skill ? ` needing ${skill}` : ''}${role && !skill ? ` for ${role}` : ''} together with the optimiser, optimising ${OBJECTIVE_WORDS[objective]}.`,
    {
      name: 'staff_requests',
      input: {
        ...where,
        objective,
        ...(skill && { skill }),
        ...(role && !skill && { role }),
        ...(period && period.to >= period.from && { from: period.from, to: period.to }),
        ...(u.flags.respectUtilisationTarget && { respect_utilisation_target: true }),
        ...(u.flags.booking && { kind: u.flags.booking }),
      },
    },
  )
}
