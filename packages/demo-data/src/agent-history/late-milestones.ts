// A question without changes: which milestones are late?

import { timestamp } from '@psa/calendar'
import type { Scenario } from './history.js'

export function lateMilestones({ h, ctx, tables, owner }: Scenario): void {
  const late = tables.milestones.filter(
    (m) => m.organisation_id === ctx.orgId && m.completed_on === null && m.due_on < ctx.anchor,
  )
  h.session({
    key: 'late-milestones',
    user: owner,
    agentType: 'project_management',
    request: 'Which milestones are late across all projects?',
    context: {},
    status: 'completed',
    queuedAt: timestamp(ctx.day(-3), 9, 15, 40),
    waitMs: 400,
    durationMs: 9_800,
    tokens: [7_600, 640],
    result: {
      summary: `${late.length} late milestone${late.length === 1 ? '' : 's'}: ${late.map((m) => `${m.name} (due ${m.due_on})`).join(', ')}.`,
      late_milestones: late.map((m) => ({
        milestone_id: m.id,
        project_id: m.project_id,
        name: m.name,
        due_on: m.due_on,
      })),
    },
    steps: [
      {
        at: 600,
        event: {
          type: 'tool_call_started',
          data: { tool_use_id: 'tool-1', name: 'late_milestones', input: {} },
        },
      },
      {
        at: 900,
        event: {
          type: 'tool_call_finished',
          data: {
            tool_use_id: 'tool-1',
            name: 'late_milestones',
            ok: true,
            summary: `${late.length} found`,
            output: { count: late.length },
            duration_ms: 300,
          },
        },
      },
    ],
  })
}
