// The planted budget overrun, noticed by the project agent (a pending re-plan).

import { addDays, timestamp } from '@psa/calendar'
import { projectBurn } from '../analysis.js'
import { addProposalEvent, money, project, type Scenario } from './history.js'

export function budgetOverrun({ b, h, ctx, tables, manager }: Scenario): void {
  const p = project(b, 'NW-202')
  const phases = b.projects.phases.get('NW-202') ?? []
  const last = phases[phases.length - 1]
  // Budget burn as the product reports it: booked time at the project's rate card.
  const measured = projectBurn(tables, ctx.orgId).find((x) => x.projectId === p.id)
  const burned = measured?.burnMinor ?? 0
  const burn = Math.round((burned / (p.budget_minor || 1)) * 1000) / 10
  const session = h.session({
    key: 'status-nw-202',
    user: manager,
    agentType: 'project_management',
    request: 'How is the Blue Harbor mobile onboarding doing?',
    context: { project_id: p.id },
    status: 'completed',
    queuedAt: timestamp(ctx.day(-3), 16, 40, 12),
    waitMs: 500,
    durationMs: 22_400,
    tokens: [14_800, 1_760],
    result: {
      summary: `${p.name} has burned ${burn}% of its ${money(p.budget_minor)} fixed fee with release 2 still running; health red. Recommend re-planning release 2 hardening by two weeks and a change request.`,
      project_id: p.id,
      burn_minor: burned,
      cost_to_date_minor: measured?.costToDateMinor ?? 0,
      budget_minor: p.budget_minor,
      burn_pct: burn,
      health: 'red',
    },
    steps: [
      {
        at: 700,
        event: {
          type: 'tool_call_started',
          data: { tool_use_id: 'tool-1', name: 'project_burn', input: { project_id: p.id } },
        },
      },
      {
        at: 1_300,
        event: {
          type: 'tool_call_finished',
          data: {
            tool_use_id: 'tool-1',
            name: 'project_burn',
            ok: true,
            summary: `${burn}% of budget burned`,
            output: { burn_pct: burn },
            duration_ms: 600,
          },
        },
      },
      {
        at: 8_000,
        event: {
          type: 'reasoning',
          data: {
            text: 'Burn is far ahead of progress; a fixed fee means every extra hour is margin lost.',
          },
        },
      },
    ],
  })
  if (!last) throw new Error('NW-202 has no phases')
  const newEnd = addDays(p.ends_on, 14)
  addProposalEvent(
    h,
    session,
    h.proposal(session, 'status-nw-202', {
      title: 'Re-plan Release 2 hardening (+2 weeks)',
      summary: `Move the end of ${last.name} and of the project from ${p.ends_on} to ${newEnd}.`,
      changeset: {
        version: 1,
        operations: [
          {
            op: 'update',
            table: 'phases',
            id: last.id,
            expected_version: 1,
            set: { ends_on: addDays(last.ends_on, 14) },
          },
          { op: 'update', table: 'projects', id: p.id, expected_version: 1, set: { ends_on: newEnd } },
        ],
      },
      revert: null,
      status: 'pending',
    }),
    21_900,
  )
}
