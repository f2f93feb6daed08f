import {
  callTools,
  finish,
  lastCall,
  type Playbook,
  type PlaybookDecision,
  type PlaybookInput,
  type RoleMention,
  type ToolCallRecord,
} from '@psa/agent-models'
import { proposalNote } from '@psa/agent-runtime'
import { addDays, earliest, latest, mondayOf, nextMonday } from '@psa/calendar'
import { capacityView, whatIf } from './capacity-playbook.js'

const LEVELS: Record<string, number> = { junior: 1, mid: 2, senior: 3, lead: 4, principal: 5 }

interface OpenRequest {
  resource_request_id: string
  project_id: string
  code: string
  role: string
  skill: string | null
  min_proficiency: number | null
  hours_per_week: number
  booked_hours_per_week: number
  starts_on: string
  ends_on: string
}

interface Candidate {
  person_id: string
  name: string
  role: string
  proficiency: number | null
  free_hours_per_week: number
  utilisation_pct: number
  target_pct: number
  can_cover: boolean
}

interface CandidatesOutput {
  need: {
    resource_request_id: string | null
    request_code: string | null
    role: string | null
    skill: string | null
    min_proficiency: number | null
    starts_on: string
    ends_on: string
    hours_per_week: number
    respect_utilisation_target: boolean
  }
  qualified: number
  can_cover: number
  shortage: boolean
  candidates: Candidate[]
}

/** The period the request is about: a named period, a start (and length), or the next four weeks. */
function period(input: PlaybookInput): { from: string; to: string; assumed: boolean } {
  const u = input.understanding
  const today = input.context.today ?? u.today ?? new Date(0).toISOString().slice(0, 10)
  const start = u.summary.startDate
  if (start && u.summary.duration) {
    return { from: start, to: addDays(start, Math.round(u.summary.duration.weeks * 7) - 1), assumed: false }
  }
  if (start && u.summary.endDate) return { from: start, to: u.summary.endDate, assumed: false }
  const named = u.summary.period
  if (named && named.to > named.from) return { from: named.from, to: named.to, assumed: false }
  if (start) return { from: start, to: addDays(mondayOf(start), 27), assumed: true }
  const from = nextMonday(today)
  return { from, to: addDays(from, 27), assumed: true }
}

function roleOf(input: PlaybookInput): RoleMention | undefined {
  return input.understanding.roles[0]
}

function needFromRequest(input: PlaybookInput) {
  const u = input.understanding
  const role = roleOf(input)
  const skill = u.skills[0]?.skill ?? role?.skill ?? undefined
  const level = u.skills[0]?.minProficiency
  const more = u.skills.slice(1).filter((s) => s.skill !== skill)
  const weekly = u.hours.find((h) => h.per === 'week')
  return {
    ...(role?.knownRole && { role: role.knownRole }),
    ...(skill && { skill }),
    ...(skill && level && { min_proficiency: level }),
    ...(more.length > 0 && {
      also_skills: more.map((s) => ({
        skill: s.skill,
        ...(s.minProficiency && { min_proficiency: s.minProficiency }),
      })),
    }),
    ...(role?.level && !role.knownRole && { min_level: LEVELS[role.level] }),
    ...(weekly && { hours_per_week: weekly.hours }),
  }
}

function describeCandidates(out: CandidatesOutput): string {
  const n = out.need
  const what = [n.request_code, n.role, n.skill ? `${n.skill} ${n.min_proficiency ?? 3}+` : null]
    .filter(Boolean)
    .join(' ')
  const head = `${what || 'The need'} (${n.hours_per_week} h/week, ${n.starts_on} to ${n.ends_on})`
  if (out.qualified === 0) return `${head}: nobody in the organisation has that profile.`
  const top = out.candidates.slice(0, 3)
  const list = top
    .map(
      (c) =>
        `${c.name} (${c.role}${c.proficiency ? `, ${c.proficiency}/5` : ''}, ${c.free_hours_per_week} h/week free, ${c.utilisation_pct}% booked vs ${c.target_pct}% target)`,
    )
    .join('; ')
  if (out.shortage) {
    const limit = n.respect_utilisation_target
      ? 'without going past their utilisation target'
      : 'without over-booking them'
    return `${head}: ${out.qualified} qualified, but nobody can take it ${limit}. Closest: ${list}. This is a shortage: consider a later start, fewer hours, or a hire or contractor.`
  }
  return `${head}: ${out.can_cover} of ${out.qualified} qualified people can take it. Best: ${list}.`
}

function candidatesResult(out: CandidatesOutput) {
  return {
    resource_request_id: out.need.resource_request_id,
    request_code: out.need.request_code,
    qualified: out.qualified,
    can_cover: out.can_cover,
    shortage: out.shortage,
    candidates: out.candidates.slice(0, 5).map((c) => ({
      person_id: c.person_id,
      name: c.name,
      free_hours_per_week: c.free_hours_per_week,
      can_cover: c.can_cover,
    })),
  }
}

function lastCalls(input: PlaybookInput, name: string): ToolCallRecord[] {
  const step = input.steps.at(-1)
  return step ? step.calls.filter((c) => c.name === name) : []
}

/** Scope from the request: a project or client named, or in the context. */
function scope(input: PlaybookInput): { project_id: string } | { client_id: string } | null {
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

function findCandidatesFlow(input: PlaybookInput, staffing: boolean): PlaybookDecision {
  const u = input.understanding
  const respectTarget = u.flags.respectUtilisationTarget || !staffing
  const when = period(input)
  const need = needFromRequest(input)
  const requestsCall = lastCall(input.steps, 'list_open_requests')
  const candidateCalls = input.steps.flatMap((s) => s.calls.filter((c) => c.name === 'find_candidates'))
  const allocationCall = lastCall(input.steps, 'propose_allocation')

  if (allocationCall) {
    const outs = candidateCalls
      .filter((c) => c.status === 'success')
      .map((c) => c.output as unknown as CandidatesOutput)
    const gaps = outs.filter((o) => o.shortage).map((o) => describeCandidates(o))
    if (allocationCall.status !== 'success') {
      return finish(`I could not propose the bookings: ${allocationCall.text}`, {
        result: { proposed: false },
      })
    }
    const out = allocationCall.output as unknown as {
      proposal_id: string
      allocations: {
        name: string
        project_code: string
        hours_per_week: number
        kind: string
        starts_on: string
        ends_on: string
        over_target_weeks: string[]
      }[]
    }
    const booked = out.allocations
      .map(
        (a) =>
          `${a.name} on ${a.project_code} for ${a.hours_per_week} h/week (${a.kind}, ${a.starts_on} to ${a.ends_on})${a.over_target_weeks.length ? ', past their utilisation target in some weeks' : ''}`,
      )
      .join('; ')
    return finish(
      `I proposed these bookings: ${booked}. ${proposalNote(allocationCall.output)}${gaps.length > 0 ? `\n\nStill unfilled: ${gaps.join(' ')}` : ''}`,
      {
        result: { proposal_id: out.proposal_id, allocations: out.allocations.length, unfilled: gaps.length },
      },
    )
  }

  if (candidateCalls.length > 0) {
    const latest = lastCalls(input, 'find_candidates')
    const failed = latest.filter((c) => c.status !== 'success')
    const outs = latest
      .filter((c) => c.status === 'success')
      .map((c) => c.output as unknown as CandidatesOutput)
    if (outs.length === 0)
      return finish(`I could not look for candidates: ${failed.map((c) => c.text).join('; ')}`)
    if (staffing) {
      const picks = outs
        .filter((o) => !o.shortage && o.candidates[0]?.can_cover && o.need.resource_request_id)
        .map((o) => ({ out: o, person: o.candidates[0] as Candidate }))
      // One booking per person per proposal round, so nobody is double-booked by this plan itself.
      const seen = new Set<string>()
      const unique = picks.filter((p) => !seen.has(p.person.person_id) && seen.add(p.person.person_id))
      const requests = requestsCall?.output as unknown as { requests: OpenRequest[] } | undefined
      if (unique.length > 0 && requests) {
        const kind = u.flags.booking ?? 'soft'
        return callTools(
          `Proposing ${unique.length} ${kind} booking(s) for the requests someone can cover.`,
          {
            name: 'propose_allocation',
            input: {
              allocations: unique.map(({ out: o, person }) => {
                const request = requests.requests.find(
                  (r) => r.resource_request_id === o.need.resource_request_id,
                ) as OpenRequest
                return {
                  person_id: person.person_id,
                  project_id: request.project_id,
                  starts_on: o.need.starts_on,
                  ends_on: o.need.ends_on,
                  hours_per_week: Math.max(1, request.hours_per_week - request.booked_hours_per_week),
                  kind,
                  resource_request_id: request.resource_request_id,
                }
              }),
            },
          },
        )
      }
    }
    const text = outs.map((o) => `- ${describeCandidates(o)}`).join('\n')
    const failures =
      failed.length > 0 ? `\n\nSome searches failed: ${failed.map((c) => c.text).join('; ')}` : ''
    return finish(
      `${staffing ? 'Nobody can be booked without over-allocation, so I proposed nothing.\n\n' : ''}${text}${failures}`,
      {
        result: { needs: outs.map(candidatesResult) },
      },
    )
  }

  if (requestsCall) {
    if (requestsCall.status !== 'success')
      return finish(`I could not read the open requests: ${requestsCall.text}`)
    const requests = (requestsCall.output as unknown as { requests: OpenRequest[] }).requests
    if (requests.length > 0) {
      const chosen = requests.slice(0, 4)
      const explicitPeriod = Boolean(u.summary.period || u.summary.startDate)
      return callTools(
        `Found ${requests.length} open request(s); ranking candidates for ${chosen.map((r) => `${r.code} ${r.role}`).join(', ')}${respectTarget ? ' within their utilisation targets' : ''}.`,
        chosen.map((r) => ({
          name: 'find_candidates',
          input: {
            resource_request_id: r.resource_request_id,
            respect_utilisation_target: respectTarget,
            ...(explicitPeriod && {
              starts_on: latest([when.from, r.starts_on]),
              ends_on: earliest([when.to, r.ends_on]),
            }),
            ...(need.hours_per_week && { hours_per_week: need.hours_per_week }),
          },
        })),
      )
    }
    if (!need.role && !need.skill) {
      return finish(
        'There are no open resource requests there, and you did not name a role or skill to search for. I made no changes.',
        {
          result: { needs: [] },
        },
      )
    }
  }

  const where = scope(input)
  if (where && !requestsCall) {
    return callTools(
      `First I look up the open resource requests${need.skill ? ` needing ${need.skill}` : ''}${need.role ? ` for ${need.role}` : ''}.`,
      {
        name: 'list_open_requests',
        input: {
          ...where,
          ...(need.skill && { skill: need.skill }),
          ...(need.role && { role: need.role }),
          ...(u.summary.period && { from: when.from, to: when.to }),
        },
      },
    )
  }
  if (staffing && !where && !requestsCall && !need.role && !need.skill) {
    return callTools("No project or client was named, so I look up every project's open resource requests.", {
      name: 'list_open_requests',
      input: { all_projects: true, ...(u.summary.period && { from: when.from, to: when.to }) },
    })
  }
  if (!need.role && !need.skill) {
    return finish(
      'Tell me who you need (a role such as "senior developer" or a skill such as "React") or which project or client to staff, and I will rank the people who can do it. I made no changes.',
    )
  }
  const assumed = when.assumed ? ` No dates were given, so I looked at ${when.from} to ${when.to}.` : ''
  return callTools(
    `Ranking people for ${[need.role, need.skill].filter(Boolean).join(' with ')}.${assumed}`,
    {
      name: 'find_candidates',
      input: { ...need, starts_on: when.from, ends_on: when.to, respect_utilisation_target: respectTarget },
    },
  )
}

/** "Book Priya Raman on NW-201 at 20 hours a week from next Monday for 4 weeks". */
function directBooking(input: PlaybookInput): PlaybookDecision | null {
  const u = input.understanding
  const people = u.entities.filter((e) => e.kind === 'person')
  const where = scope(input)
  const weekly = u.hours.find((h) => h.per === 'week')
  if (people.length === 0 || !where || !('project_id' in where) || !weekly) return null
  const person = people[0] as (typeof people)[number]
  if (people.length > 1 || person.alternatives.length > 0 || !person.id || person.match === 'fuzzy') {
    const names = [...people.map((p) => p.name), ...person.alternatives.map((a) => a.name)]
    return finish(
      `Which person do you mean${names.length > 1 ? `: ${[...new Set(names)].join(' or ')}` : ''}? I could not match the name to one person exactly, so I booked nobody.`,
    )
  }
  const when = period(input)
  return callTools(`Proposing a ${u.flags.booking ?? 'soft'} booking of ${person.name}.`, {
    name: 'propose_allocation',
    input: {
      allocations: [
        {
          person_id: person.id,
          project_id: where.project_id,
          starts_on: when.from,
          ends_on: when.to,
          hours_per_week: weekly.hours,
          kind: u.flags.booking ?? 'soft',
        },
      ],
    },
  })
}

/**
 * The resourcing agent under the offline model: candidate searches ("Who can staff Acme's React roles next
 * month without pushing anyone past their utilisation target?") and staffing ("Staff the open requests of
 * NW-304", "Book Priya Raman on NW-201 at 20 hours a week for 4 weeks").
 */
export const resourcingPlaybook: Playbook = (input) => {
  const u = input.understanding
  switch (u.intent) {
    case 'find_candidates':
      return findCandidatesFlow(input, false)
    case 'staff': {
      if (input.steps.length === 0) {
        const direct = directBooking(input)
        if (direct) return direct
      }
      const booked = lastCall(input.steps, 'propose_allocation')
      if (booked && input.steps.length === 1) {
        if (booked.status !== 'success')
          return finish(`I could not propose the booking: ${booked.text}`, { result: { proposed: false } })
        const out = booked.output as unknown as { proposal_id: string; summary: string }
        return finish(`${out.summary}. Nothing changes until someone applies the proposal.`, {
          result: { proposal_id: out.proposal_id },
        })
      }
      return findCandidatesFlow(input, true)
    }
    case 'over_allocation':
    case 'utilisation':
      return capacityView(input, u.intent)
    case 'bench':
      // "Who is free for React work?" is a candidate search; "who is free next week?" is the bench.
      if (u.roles.length > 0 || u.skills.length > 0) return findCandidatesFlow(input, false)
      return capacityView(input, 'bench')
    case 'what_if':
      return whatIf(input)
    case null:
      // "Hard book Hannah on the Driver App": the booking words were read as the booking kind.
      if (u.flags.booking && u.entities.some((e) => e.kind === 'person')) {
        return directBooking(input) ?? findCandidatesFlow(input, true)
      }
      // "Who is below their utilisation target?": the target words were read as a constraint, not a report.
      if (
        u.flags.respectUtilisationTarget &&
        u.roles.length === 0 &&
        u.skills.length === 0 &&
        /\bwho\b/i.test(input.request)
      )
        return capacityView(input, 'utilisation')
      // "Find a senior developer with Python for 3 weeks": no intent words the parser knows, but a profile.
      if (u.roles.length > 0 || u.skills.length > 0) return findCandidatesFlow(input, false)
      return finish(
        'I find people for staffing needs ("Who can staff Acme\'s React roles next month?"), propose bookings ("Staff the open requests of NW-304"), show over-allocations, utilisation and the bench ("Who is over-allocated next week?") and run what-ifs ("What if we win NW-501?"), but I could not tell what you want me to do. I made no changes.',
      )
    default: {
      const owner = u.agentType ? u.agentType.replaceAll('_', ' ') : 'another'
      return finish(
        `This is a ${u.intent.replaceAll('_', ' ')} request, which the ${owner} agent handles; I find and book people and report capacity. I made no changes.`,
      )
    }
  }
}
