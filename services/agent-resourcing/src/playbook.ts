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
import { addDays, earliest, latest, mondayOf, nextMonday } from '@psa/calendar'
import { capacityView, whatIf } from './capacity-playbook.js'
import { type OpenRequest, openRequestsFlow } from './open-requests-playbook.js'
import { scope, staffRequestsFlow } from './staffing-playbook.js'

const LEVELS: Record<string, number> = { junior: 1, mid: 2, senior: 3, lead: 4, principal: 5 }

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

function findCandidatesFlow(input: PlaybookInput): PlaybookDecision {
  const u = input.understanding
  // A candidate search keeps everyone within their target unless the user books them beyond it themselves.
  const respectTarget = true
  const when = period(input)
  const need = needFromRequest(input)
  const requestsCall = lastCall(input.steps, 'list_open_requests')
  const candidateCalls = input.steps.flatMap((s) => s.calls.filter((c) => c.name === 'find_candidates'))

  if (candidateCalls.length > 0) {
    const latest = lastCalls(input, 'find_candidates')
    const failed = latest.filter((c) => c.status !== 'success')
    const outs = latest
      .filter((c) => c.status === 'success')
      .map((c) => c.output as unknown as CandidatesOutput)
    if (outs.length === 0)
      return finish(`I could not look for candidates: ${failed.map((c) => c.text).join('; ')}`)
    const text = outs.map((o) => `- ${describeCandidates(o)}`).join('\n')
    const failures =
      failed.length > 0 ? `\n\nSome searches failed: ${failed.map((c) => c.text).join('; ')}` : ''
    return finish(`${text}${failures}`, {
      result: { needs: outs.map(candidatesResult) },
    })
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
      return findCandidatesFlow(input)
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
      return staffRequestsFlow(input)
    }
    case 'open_requests':
      return openRequestsFlow(input)
    case 'over_allocation':
    case 'utilisation':
      return capacityView(input, u.intent)
    case 'bench':
      // "Who is free for React work?" is a candidate search; "who is free next week?" is the bench.
      if (u.roles.length > 0 || u.skills.length > 0) return findCandidatesFlow(input)
      return capacityView(input, 'bench')
    case 'what_if':
      return whatIf(input)
    case null:
      // "Hard book Hannah on the Driver App": the booking words were read as the booking kind.
      if (u.flags.booking && u.entities.some((e) => e.kind === 'person')) {
        return directBooking(input) ?? staffRequestsFlow(input)
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
      if (u.roles.length > 0 || u.skills.length > 0) return findCandidatesFlow(input)
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
