import { type AgentToolContext, defineTool, type ToolResult } from '@psa/agent-runtime'
import { earliest, latest } from '@psa/calendar'
import type { ChangesetOperation } from '@psa/changesets'
import { AppError } from '@psa/errors'
import { z } from 'zod'
import { type Booking, checkAllocation } from '../domain/availability.js'
import { loadCalendars, loadPeople } from './calendars.js'

const allocationInput = z.object({
  person_id: z.uuid(),
  project_id: z.uuid(),
  starts_on: z.iso.date(),
  ends_on: z.iso.date(),
  hours_per_week: z.number().positive().max(80),
  kind: z.enum(['soft', 'hard']).optional().describe('soft (tentative, the default) or hard (confirmed)'),
  resource_request_id: z.uuid().optional().describe('The request this booking fills'),
  task_id: z.uuid().optional(),
})

/** A staffing plan books at most this many allocations in one proposal. */
export const MAX_ALLOCATIONS = 50

export const proposeAllocationInput = z.object({
  allocations: z.array(allocationInput).min(1).max(MAX_ALLOCATIONS),
})

/**
 * Checks bookings against every week of the people's calendars and proposes them as one changeset (the
 * allocations, and the requests they fill marked filled or partially filled). `title` names the proposal
 * when the caller knows better (a staffing plan).
 */
export async function proposeAllocations(
  input: z.output<typeof proposeAllocationInput>,
  ctx: AgentToolContext,
  options: { title?: string } = {},
): Promise<ToolResult> {
  for (const a of input.allocations) {
    if (a.ends_on < a.starts_on)
      throw new AppError('VALIDATION_FAILED', 'An allocation ends before it starts', { details: a })
  }
  const from = earliest(input.allocations.map((a) => a.starts_on))
  const to = latest(input.allocations.map((a) => a.ends_on))
  const personIds = [...new Set(input.allocations.map((a) => a.person_id))]
  const projectIds = [...new Set(input.allocations.map((a) => a.project_id))]
  const requestIds = [
    ...new Set(input.allocations.flatMap((a) => (a.resource_request_id ? [a.resource_request_id] : []))),
  ]
  const loaded = await ctx.asUser(async (tx) => {
    const people = await loadPeople(tx, { ids: personIds })
    const projects = await tx
      .selectFrom('projects')
      .select(['id', 'code', 'name', 'status'])
      .where('id', 'in', projectIds)
      .execute()
    const requests = requestIds.length
      ? await tx
          .selectFrom('resource_requests')
          .select(['id', 'project_id', 'hours_per_week', 'status', 'version'])
          .where('id', 'in', requestIds)
          .execute()
      : []
    const requestBooked = requestIds.length
      ? await tx
          .selectFrom('allocations')
          .select(['resource_request_id', 'hours_per_week'])
          .where('resource_request_id', 'in', requestIds)
          .execute()
      : []
    return {
      people,
      projects,
      requests,
      requestBooked,
      calendars: await loadCalendars(tx, people, from, to),
    }
  })
  const missing = [
    ...personIds.filter((id) => !loaded.people.some((p) => p.id === id)).map((id) => `person ${id}`),
    ...projectIds.filter((id) => !loaded.projects.some((p) => p.id === id)).map((id) => `project ${id}`),
    ...requestIds
      .filter((id) => !loaded.requests.some((r) => r.id === id))
      .map((id) => `resource request ${id}`),
  ]
  if (missing.length > 0) throw new AppError('NOT_FOUND', `Not found: ${missing.join(', ')}`)
  for (const a of input.allocations) {
    const request = loaded.requests.find((r) => r.id === a.resource_request_id)
    if (request && request.project_id !== a.project_id) {
      throw new AppError(
        'VALIDATION_FAILED',
        'A resource request belongs to another project than its booking',
      )
    }
  }
  const closed = loaded.projects.filter((p) => p.status === 'completed' || p.status === 'cancelled')
  if (closed.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `Cannot book people on ${closed.map((p) => `${p.code} (${p.status})`).join(', ')}`,
    )
  }

  const people = new Map(loaded.people.map((p) => [p.id, p]))
  const projects = new Map(loaded.projects.map((p) => [p.id, p]))
  const checks = personIds.map((personId) => {
    const added: Booking[] = input.allocations
      .filter((a) => a.person_id === personId)
      .map((a) => ({
        startsOn: a.starts_on,
        endsOn: a.ends_on,
        hoursPerWeek: a.hours_per_week,
        kind: a.kind ?? 'soft',
      }))
    return { personId, check: checkAllocation(loaded.calendars.get(personId) as never, added) }
  })
  const refused = checks.filter((c) => c.check.overCapacity.length > 0)
  if (refused.length > 0) {
    const reasons = refused.map(({ personId, check }) => {
      const worst = check.overCapacity[0] as { week: string; bookedHours: number; capacityHours: number }
      return `${people.get(personId)?.full_name} would be booked ${worst.bookedHours} h against ${worst.capacityHours} h of capacity in the week of ${worst.week}${check.overCapacity.length > 1 ? ` (and ${check.overCapacity.length - 1} more week(s))` : ''}`
    })
    throw new AppError(
      'VALIDATION_FAILED',
      `Refused: nobody is booked past 100%. ${reasons.join('; ')}. Nothing was proposed.`,
      {
        details: {
          over_capacity: refused.map((r) => ({ person_id: r.personId, weeks: r.check.overCapacity })),
        },
      },
    )
  }

  const operations: ChangesetOperation[] = input.allocations.map((a) => ({
    op: 'insert',
    table: 'allocations',
    values: {
      id: ctx.id(
        'allocation',
        a.person_id,
        a.project_id,
        a.starts_on,
        a.ends_on,
        a.resource_request_id ?? '',
      ),
      project_id: a.project_id,
      person_id: a.person_id,
      task_id: a.task_id ?? null,
      resource_request_id: a.resource_request_id ?? null,
      kind: a.kind ?? 'soft',
      starts_on: a.starts_on,
      ends_on: a.ends_on,
      hours_per_week: a.hours_per_week,
    },
  }))
  const requestUpdates = loaded.requests.map((r) => {
    const before = loaded.requestBooked
      .filter((b) => b.resource_request_id === r.id)
      .reduce((s, b) => s + Number(b.hours_per_week), 0)
    const added = input.allocations
      .filter((a) => a.resource_request_id === r.id)
      .reduce((s, a) => s + a.hours_per_week, 0)
    const status = before + added >= Number(r.hours_per_week) ? 'filled' : 'partially_filled'
    return { id: r.id, version: r.version, status }
  })
  for (const r of requestUpdates) {
    operations.push({
      op: 'update',
      table: 'resource_requests',
      id: r.id,
      expected_version: r.version,
      set: { status: r.status },
    })
  }
  const describe = (a: (typeof input.allocations)[number]) =>
    `${people.get(a.person_id)?.full_name} on ${projects.get(a.project_id)?.code} ${a.hours_per_week} h/wk ${a.starts_on}..${a.ends_on} (${a.kind ?? 'soft'})`
  const overTarget = checks.filter((c) => c.check.overTarget.length > 0)
  const warning =
    overTarget.length > 0
      ? `; past utilisation target: ${overTarget.map((c) => `${people.get(c.personId)?.full_name} (peak ${c.check.peakUtilisationPct}%)`).join(', ')}`
      : ''
  const first = input.allocations[0] as (typeof input.allocations)[number]
  const title =
    options.title ??
    (input.allocations.length === 1
      ? `Book ${people.get(first.person_id)?.full_name} on ${projects.get(first.project_id)?.code}`
      : `Book ${input.allocations.length} allocations on ${[...new Set(input.allocations.map((a) => projects.get(a.project_id)?.code))].join(', ')}`)
  const summary = `${input.allocations.map(describe).join('; ')}${warning}`
  const proposal = await ctx.propose({ title, summary, changeset: { version: 1, operations } })
  return {
    summary: `Proposed: ${summary}`,
    proposal_id: proposal.proposalId,
    created: proposal.created,
    allocations: input.allocations.map((a) => {
      const check = checks.find((c) => c.personId === a.person_id)?.check
      return {
        person_id: a.person_id,
        name: people.get(a.person_id)?.full_name ?? '',
        project_code: projects.get(a.project_id)?.code ?? '',
        kind: a.kind ?? 'soft',
        starts_on: a.starts_on,
        ends_on: a.ends_on,
        hours_per_week: a.hours_per_week,
        peak_utilisation_pct: check?.peakUtilisationPct ?? 0,
        over_target_weeks: check?.overTarget.map((w) => w.week) ?? [],
      }
    }),
    requests: requestUpdates.map((r) => ({ resource_request_id: r.id, status: r.status })),
  }
}

export const proposeAllocation = defineTool({
  name: 'propose_allocation',
  description:
    'Propose bookings (allocations) of people on projects, soft or hard. Refuses, and proposes nothing, if any booking would put someone past 100% of their capacity in any week; reports weeks that go past their utilisation target. Fills the resource requests named. Creates a proposal for a person to apply.',
  inputSchema: proposeAllocationInput,
  run: (input, ctx) => proposeAllocations(input, ctx),
})
