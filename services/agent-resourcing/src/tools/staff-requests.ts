import { defineTool, type ToolResult } from '@psa/agent-runtime'
import { earliest, latest } from '@psa/calendar'
import { AppError } from '@psa/errors'
import { z } from 'zod'
import type { PersonCalendar } from '../domain/availability.js'
import {
  OBJECTIVE_WEIGHTS,
  type OpenNeed,
  optimiseStaffing,
  type Qualification,
  type StaffablePerson,
  type Unstaffed,
} from '../domain/staffing.js'
import { loadCalendars, loadPeople } from './calendars.js'
import { loadOpenRequests } from './open-requests.js'
import { MAX_ALLOCATIONS, proposeAllocations } from './propose-allocation.js'

const weight = z.number().min(0).max(100)

export const staffRequestsInput = z
  .object({
    project_id: z.uuid().optional().describe("One project's open requests"),
    client_id: z.uuid().optional().describe("A client's open requests (all its running projects)"),
    all_open: z.boolean().optional().describe('Every open request of the organisation'),
    resource_request_ids: z
      .array(z.uuid())
      .min(1)
      .max(MAX_ALLOCATIONS)
      .optional()
      .describe('Exactly these requests'),
    skill: z.string().trim().min(1).max(100).optional().describe('Only requests needing this skill'),
    role: z.string().trim().min(1).max(100).optional().describe('Only requests for this role'),
    from: z.iso.date().optional().describe('Only requests still running on or after this day'),
    to: z.iso.date().optional().describe('Only requests starting on or before this day'),
    objective: z
      .enum(['cost', 'fit', 'balance', 'blend'])
      .optional()
      .describe(
        'What to optimise: cost (lowest cost), fit (best skill fit), balance (keep people under their utilisation targets), blend (all three equally, the default)',
      ),
    weights: z
      .object({ cost: weight.optional(), fit: weight.optional(), utilisation: weight.optional() })
      .optional()
      .describe("Explicit weights of the objective's terms, overriding the objective's"),
    respect_utilisation_target: z
      .boolean()
      .optional()
      .describe('Never book anyone past their utilisation target (default: allowed up to 100%, penalised)'),
    kind: z.enum(['soft', 'hard']).optional().describe('Booking kind, soft by default'),
    exclude: z
      .array(z.object({ resource_request_id: z.uuid(), person_id: z.uuid() }))
      .max(200)
      .optional()
      .describe('Pairs never to book'),
  })
  .refine((v) => v.project_id || v.client_id || v.all_open || v.resource_request_ids, {
    message: 'name a project, a client or resource requests, or set all_open',
  })

export const staffRequests = defineTool({
  name: 'staff_requests',
  description:
    "Staff a set of open resource requests (a project's, a client's, given ids, or all) at once with the planning engine's optimiser under an explicit objective (cost, fit, balance or weights), net of holidays, time off and existing bookings, week by week. Proposes ONE changeset with the chosen bookings and reports the objective, whether it is proven optimal (bound, gap), the greedy alternative it beat, each request's runner-up and every request it could not staff, with the reason.",
  inputSchema: staffRequestsInput,
  run: async (input, ctx): Promise<ToolResult> => {
    const organisationId = ctx.session.organisationId
    const today = ctx.session.today
    const loaded = await ctx.asUser(async (tx) => {
      if (input.project_id) {
        const project = await tx
          .selectFrom('projects')
          .select(['id', 'status'])
          .where('id', '=', input.project_id)
          .where('organisation_id', '=', organisationId)
          .executeTakeFirst()
        if (!project)
          throw new AppError('NOT_FOUND', 'No such project', { details: { project_id: input.project_id } })
      }
      const found = await loadOpenRequests(tx, organisationId, {
        ...(input.project_id && { project_id: input.project_id }),
        ...(input.client_id && { client_id: input.client_id }),
        ...(input.resource_request_ids && { ids: input.resource_request_ids }),
        ...(input.skill && { skill: input.skill }),
        ...(input.role && { role: input.role }),
        ...(input.from && { from: input.from }),
        ...(input.to && { to: input.to }),
        // One more than fits in a proposal, to know when some were left for another round.
        limit: MAX_ALLOCATIONS + 1,
      })
      const rows = found.slice(0, MAX_ALLOCATIONS)
      const unknown = (input.resource_request_ids ?? []).filter((id) => !rows.some((r) => r.id === id))
      if (unknown.length > 0)
        throw new AppError(
          'NOT_FOUND',
          `No open resource request ${unknown.join(', ')} in this organisation (it does not exist, is filled, or its project is closed)`,
          { details: { resource_request_ids: unknown } },
        )
      const running = rows.filter((r) => r.ends_on >= today)
      const people = new Map<string, Awaited<ReturnType<typeof loadPeople>>[number]>()
      const qualifications: Qualification[] = []
      for (const r of running) {
        const from = latest([r.starts_on, today])
        const qualified = await loadPeople(tx, {
          organisationId,
          // With a skill, the skill qualifies (a lead can fill a senior's slot); without, the role does.
          ...(r.skill_id
            ? { skill: { id: r.skill_id, minProficiency: r.min_proficiency ?? 3 } }
            : { role: r.role }),
          employedIn: { from, to: r.ends_on },
        })
        for (const p of qualified) {
          if (!people.has(p.id)) people.set(p.id, p)
          qualifications.push({
            needId: r.id,
            personId: p.id,
            proficiency: r.skill_id ? p.proficiency : null,
            roleMatch: p.role_id === r.role_id,
          })
        }
      }
      const calendars =
        running.length > 0
          ? await loadCalendars(
              tx,
              [...people.values()],
              earliest(running.map((r) => latest([r.starts_on, today]))),
              latest(running.map((r) => r.ends_on)),
            )
          : new Map<string, PersonCalendar>()
      return {
        rows,
        truncated: found.length > MAX_ALLOCATIONS,
        people: [...people.values()],
        qualifications,
        calendars,
      }
    })

    const objectiveName = input.objective ?? 'blend'
    const weights = { ...OBJECTIVE_WEIGHTS[objectiveName], ...input.weights }
    const byId = new Map(loaded.rows.map((r) => [r.id, r]))
    const early: Unstaffed[] = []
    const needs: OpenNeed[] = []
    for (const r of loaded.rows) {
      const remaining = Number(r.hours_per_week) - Number(r.booked_hours_per_week)
      if (r.ends_on < today) {
        early.push({
          needId: r.id,
          reason: 'window_over',
          message: `Its window ended on ${r.ends_on}; close it or move its dates.`,
        })
      } else if (remaining > 0) {
        needs.push({
          id: r.id,
          code: r.code,
          role: r.role,
          skill: r.skill,
          minProficiency: r.min_proficiency,
          hoursPerWeek: remaining,
          startsOn: latest([r.starts_on, today]),
          endsOn: r.ends_on,
        })
      }
    }
    const people: StaffablePerson[] = loaded.people.map((p) => ({
      id: p.id,
      name: p.full_name,
      costRateMinor: Number(p.cost_rate_minor),
      calendar: loaded.calendars.get(p.id) as PersonCalendar,
    }))
    const outcome = await optimiseStaffing(needs, people, loaded.qualifications, {
      weights,
      respectTarget: input.respect_utilisation_target ?? false,
      exclusions: (input.exclude ?? []).map((e) => ({
        needId: e.resource_request_id,
        personId: e.person_id,
      })),
    })
    const unstaffed = [...early, ...outcome.unstaffed]
    const needOf = new Map(needs.map((n) => [n.id, n]))
    const kind = input.kind ?? 'soft'
    const o = outcome.objective
    const objective = {
      name: input.weights ? 'custom' : objectiveName,
      weights: { ...o.weights },
      value: o.value,
      terms: o.terms,
      optimal: o.optimal,
      bound: o.bound,
      lp_bound: o.lpBound,
      gap: o.gap,
      method: o.method,
    }
    const greedy = {
      value: outcome.greedy.value,
      staffed: outcome.greedy.staffed,
      beaten_by: Math.round((outcome.greedy.value - o.value) * 1e6) / 1e6,
    }
    const proposal =
      outcome.assignments.length > 0
        ? await proposeAllocations(
            {
              allocations: outcome.assignments.map((a) => {
                const r = byId.get(a.needId) as (typeof loaded.rows)[number]
                const n = needOf.get(a.needId) as OpenNeed
                return {
                  person_id: a.personId,
                  project_id: r.project_id,
                  starts_on: n.startsOn,
                  ends_on: n.endsOn,
                  hours_per_week: a.hoursPerWeek,
                  kind,
                  resource_request_id: a.needId,
                }
              }),
            },
            ctx,
            {
              title: `Staff ${outcome.assignments.length} request(s) on ${[...new Set(outcome.assignments.map((a) => byId.get(a.needId)?.code))].join(', ')} (${objective.name} objective)`,
            },
          )
        : null
    const describe = (id: string) => {
      const r = byId.get(id)
      return r ? `${r.code} ${r.role}${r.skill ? ` (${r.skill})` : ''}` : id
    }
    const considered = needs.length + early.length
    const proof = o.optimal
      ? 'proven optimal'
      : o.method === 'none'
        ? 'nothing to optimise'
        : `within ${Math.round((o.gap ?? 1) * 1000) / 10}% of optimal`
    const summary =
      loaded.rows.length === 0
        ? 'No open resource requests in scope'
        : `${loaded.truncated ? `Only the first ${MAX_ALLOCATIONS} open requests (by start date) were considered; narrow the scope or run again for the rest. ` : ''}Staffed ${outcome.assignments.length} of ${considered} open request(s) (${objective.name} objective ${o.value}, ${proof}; greedy ${greedy.value} staffing ${greedy.staffed})${unstaffed.length > 0 ? `; not staffed: ${unstaffed.map((u) => `${describe(u.needId)} (${u.reason})`).join(', ')}` : ''}`
    return {
      summary,
      objective,
      greedy,
      total_cost_minor: outcome.totalCostMinor,
      // Requests the optimiser's weekly model left open that fitted week by week next to its plan.
      added_week_by_week: outcome.repaired.map(describe),
      // More open requests matched than one proposal holds: the later-starting ones were left out.
      truncated: loaded.truncated,
      assignments: outcome.assignments.map((a) => {
        const n = needOf.get(a.needId) as OpenNeed
        return {
          resource_request_id: a.needId,
          request: describe(a.needId),
          person_id: a.personId,
          name: a.name,
          hours_per_week: a.hoursPerWeek,
          starts_on: n.startsOn,
          ends_on: n.endsOn,
          skill_fit: a.fit,
          cost_minor: a.costMinor,
          runner_up: a.runnerUp && {
            person_id: a.runnerUp.personId,
            name: a.runnerUp.name,
            objective_delta: a.runnerUp.objectiveDelta,
            why: a.runnerUp.why,
          },
        }
      }),
      unstaffed: unstaffed.map((u) => ({
        resource_request_id: u.needId,
        request: describe(u.needId),
        reason: u.reason,
        message: u.message,
      })),
      proposal_id: proposal?.proposal_id ?? null,
      ...(proposal && { created: proposal.created, requests: proposal.requests }),
    }
  },
})
