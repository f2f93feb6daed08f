import { callTools, finish, lastCall, type PlaybookDecision, type PlaybookInput } from '@psa/agent-models'
import { scope } from './staffing-playbook.js'

/** An open resource request as `list_open_requests` returns it. */
export type OpenRequest = {
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

/**
 * "What open requests do we have?": lists them (a project's, a client's or every project's, narrowed by a
 * role, skill or period the user named) and stages nothing; staffing them is a separate request.
 */
export function openRequestsFlow(input: PlaybookInput): PlaybookDecision {
  const u = input.understanding
  const listed = lastCall(input.steps, 'list_open_requests')
  if (listed) {
    if (listed.status !== 'success') return finish(`I could not read the open requests: ${listed.text}`)
    const requests = (listed.output as unknown as { requests: OpenRequest[] }).requests
    if (requests.length === 0)
      return finish('There are no open resource requests there.', { result: { requests: [] } })
    const lines = requests.map((r) => {
      const skill = r.skill ? ` (${r.skill}${r.min_proficiency ? ` ${r.min_proficiency}+` : ''})` : ''
      const open = r.hours_per_week - r.booked_hours_per_week
      return `- ${r.code} ${r.role}${skill}: ${open} of ${r.hours_per_week} h/week open, ${r.starts_on} to ${r.ends_on}`
    })
    return finish(
      `${requests.length} open resource request(s):\n\n${lines.join('\n')}\n\nSay "staff them" (at lowest cost, best fit or balancing utilisation) and I will propose a staffing. I made no changes.`,
      { result: { requests } },
    )
  }
  const where = scope(input) ?? { all_projects: true }
  const role = u.roles[0]?.knownRole
  const skill = u.skills[0]?.skill
  const period = u.summary.period
  return callTools('Listing the open resource requests.', {
    name: 'list_open_requests',
    input: {
      ...where,
      ...(role && { role }),
      ...(skill && { skill }),
      ...(period && { from: period.from, to: period.to }),
    },
  })
}
