// The React shortage: nobody qualified is free, so the agent proposes the best stretch candidate (pending).

import { timestamp } from '@psa/calendar'
import type { PersonRow } from '../types.js'
import { addProposalEvent, freeHours, project, type Scenario, slotOf } from './history.js'

export function reactShortage({ b, h, ctx, admin }: Scenario): void {
  const request = slotOf(b, 'NW-201', (s) => s.slot.skill === 'React' && !s.allocation)
  const p = project(b, 'NW-201')
  const experts = [...b.people.people.values()].filter(
    (x) => (b.people.proficiency.get(x.id)?.get('React') ?? 0) >= 4,
  )
  const fromWeek = Math.max(request.fromWeek, 0)
  // Cover the next four weeks while the firm hires; the request itself stays open.
  const toWeek = Math.min(request.toWeek, fromWeek + 3)
  const react = (x: PersonRow) => b.people.proficiency.get(x.id)?.get('React') ?? 0
  const candidates = [...b.people.people.values()]
    .filter((x) => x.active && react(x) >= 2 && react(x) < 4)
    .map((x) => ({ person: x, react: react(x), free: freeHours(b, x, fromWeek, toWeek) }))
    .filter((c) => c.free >= 16)
    .sort(
      (x, y) => y.react - x.react || y.free - x.free || x.person.full_name.localeCompare(y.person.full_name),
    )
  const best = candidates[0]
  if (!best) throw new Error('no stretch candidate for the React request')
  const hours = Math.min(Math.floor(best.free / 8) * 8, request.slot.hours)
  const allocationId = ctx.id('proposed-allocation/react-stretch')
  const session = h.session({
    key: 'staff-react-nw-201',
    user: admin,
    agentType: 'resourcing',
    request: `Who can staff the senior React developer request on the ${p.name} from this week without pushing anyone past their utilisation target?`,
    context: { resource_request_id: request.request?.id ?? null, project_id: p.id },
    status: 'completed',
    queuedAt: timestamp(ctx.day(-3), 15, 10, 4),
    waitMs: 1_200,
    durationMs: 27_600,
    tokens: [22_310, 2_870],
    result: {
      summary: `No one with React at 4 or above is free: ${experts.map((x) => x.full_name).join(' and ')} are fully booked. Best stretch candidate: ${best.person.full_name} (React ${best.react}), ${best.free}h/week free.`,
      qualified: experts.map((x) => ({
        person_id: x.id,
        name: x.full_name,
        free_hours_per_week: Math.max(0, freeHours(b, x, fromWeek, toWeek)),
      })),
      candidates: candidates.slice(0, 3).map((c) => ({
        person_id: c.person.id,
        name: c.person.full_name,
        react: c.react,
        free_hours_per_week: c.free,
      })),
      shortage: { skill: 'React', min_proficiency: 4, qualified_people: experts.length },
    },
    steps: [
      {
        at: 900,
        event: {
          type: 'tool_call_started',
          data: {
            tool_use_id: 'tool-1',
            name: 'find_candidates',
            input: { skill: 'React', min_proficiency: 4, hours_per_week: request.slot.hours },
          },
        },
      },
      {
        at: 1_400,
        event: {
          type: 'tool_call_finished',
          data: {
            tool_use_id: 'tool-1',
            name: 'find_candidates',
            ok: true,
            summary: `${experts.length} qualified, none available`,
            output: { qualified: experts.length, available: 0 },
            duration_ms: 500,
          },
        },
      },
      {
        at: 6_000,
        event: {
          type: 'reasoning',
          data: {
            text: 'Relaxing the proficiency and pairing with the lead developer keeps everyone within capacity.',
          },
        },
      },
      {
        at: 6_500,
        event: {
          type: 'tool_call_started',
          data: {
            tool_use_id: 'tool-2',
            name: 'find_candidates',
            input: { skill: 'React', min_proficiency: 2, hours_per_week: hours },
          },
        },
      },
      {
        at: 7_300,
        event: {
          type: 'tool_call_finished',
          data: {
            tool_use_id: 'tool-2',
            name: 'find_candidates',
            ok: true,
            summary: `${candidates.length} candidates with free capacity`,
            output: { candidates: candidates.length },
            duration_ms: 800,
          },
        },
      },
    ],
  })
  const proposal = h.proposal(session, 'staff-react-nw-201', {
    title: `Soft-book ${best.person.full_name} on the ${p.name}`,
    summary: `${hours}h/week from ${ctx.monday(fromWeek)} to ${ctx.friday(toWeek)}, pairing with Marcus Chen; the request stays open for a React 4+ hire.`,
    changeset: {
      version: 1,
      operations: [
        {
          op: 'insert',
          table: 'allocations',
          values: {
            id: allocationId,
            project_id: p.id,
            person_id: best.person.id,
            resource_request_id: request.request?.id ?? null,
            kind: 'soft',
            starts_on: ctx.monday(fromWeek),
            ends_on: ctx.friday(toWeek),
            hours_per_week: hours,
          },
        },
      ],
    },
    revert: null,
    status: 'pending',
  })
  addProposalEvent(h, session, proposal, 27_100)
}
