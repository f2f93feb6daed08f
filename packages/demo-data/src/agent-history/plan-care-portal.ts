// Planning the Care Coordination Portal (proposal applied: the phases, tasks and milestones exist).

import { addDays, timestamp } from '@psa/calendar'
import { addProposalEvent, insertChangeset, project, type Scenario } from './history.js'

export function planCarePortal({ b, h, tables, manager }: Scenario): void {
  const p = project(b, 'NW-204')
  const phases = b.projects.phases.get('NW-204') ?? []
  const tasks = b.projects.tasks.get('NW-204') ?? []
  const milestones = b.projects.milestones.get('NW-204') ?? []
  const deps = tables.task_dependencies.filter((d) => d.project_id === p.id)
  const session = h.session({
    key: 'plan-nw-204',
    user: manager,
    agentType: 'project_management',
    request: `Plan a 20-week care coordination portal for Cedar Health Partners starting ${p.starts_on}: discovery, release 1 (referrals) with two weeks of acceptance, then release 2.`,
    context: { project_id: p.id, client_id: p.client_id },
    status: 'completed',
    queuedAt: timestamp(addDays(p.starts_on, -4), 14, 2, 11),
    waitMs: 850,
    durationMs: 41_300,
    tokens: [18_420, 3_915],
    result: {
      summary: `Planned ${phases.length} phases, ${tasks.length} tasks, ${deps.length} dependencies and ${milestones.length} milestones; the plan ends on ${p.ends_on}.`,
      project_id: p.id,
      phases: phases.length,
      tasks: tasks.length,
      dependencies: deps.length,
      milestones: milestones.length,
      ends_on: p.ends_on,
    },
    steps: [
      {
        at: 1_200,
        event: {
          type: 'reasoning',
          data: {
            text: 'The request names four stages; release 1 needs an acceptance window before release 2 starts.',
          },
        },
      },
      {
        at: 2_100,
        event: {
          type: 'tool_call_started',
          data: { tool_use_id: 'tool-1', name: 'get_project', input: { project_id: p.id } },
        },
      },
      {
        at: 2_400,
        event: {
          type: 'tool_call_finished',
          data: {
            tool_use_id: 'tool-1',
            name: 'get_project',
            ok: true,
            summary: `${p.name}, fixed fee, starts ${p.starts_on}`,
            output: { code: p.code },
            duration_ms: 300,
          },
        },
      },
      {
        at: 9_800,
        event: {
          type: 'tool_call_started',
          data: {
            tool_use_id: 'tool-2',
            name: 'schedule_plan',
            input: { phases: phases.map((x) => x.name) },
          },
        },
      },
      {
        at: 10_350,
        event: {
          type: 'tool_call_finished',
          data: {
            tool_use_id: 'tool-2',
            name: 'schedule_plan',
            ok: true,
            summary: `${tasks.length} tasks scheduled, ends ${p.ends_on}`,
            output: { tasks: tasks.length },
            duration_ms: 550,
          },
        },
      },
    ],
  })
  const { changeset, revert } = insertChangeset([
    ...phases.map((r): [string, object] => ['phases', r]),
    ...tasks.map((r): [string, object] => ['tasks', r]),
    ...deps.map((r): [string, object] => ['task_dependencies', r]),
    ...milestones.map((r): [string, object] => ['milestones', r]),
  ])
  const proposal = h.proposal(session, 'plan-nw-204', {
    title: `Plan for ${p.name}`,
    summary: `${phases.length} phases, ${tasks.length} tasks, ${deps.length} dependencies, ${milestones.length} milestones.`,
    changeset,
    revert,
    status: 'applied',
    decidedBy: manager,
    decidedAfterMs: 1_800_000,
  })
  addProposalEvent(h, session, proposal, 40_900)
}
