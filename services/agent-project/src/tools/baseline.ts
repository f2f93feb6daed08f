import { defineTool, type ToolResult } from '@psa/agent-runtime'
import { daysBetween } from '@psa/calendar'
import type { ChangesetOperation } from '@psa/changesets'
import { AppError } from '@psa/errors'
import { z } from 'zod'
import { loadProjectRows, type ProjectRows } from './project-rows.js'

const projectIdInput = z.object({
  project_id: z.uuid().describe('The project (an id from the request context)'),
})

/** The plan as a baseline keeps it (the same shape the demo data's kick-off baselines have). */
function snapshotOf(rows: ProjectRows, today: string) {
  return {
    captured_on: today,
    starts_on: rows.project.starts_on,
    ends_on: rows.project.ends_on,
    budget_minor: rows.project.budget_minor === null ? null : Number(rows.project.budget_minor),
    phases: rows.phases.map((p) => ({
      phase_id: p.id,
      name: p.name,
      starts_on: p.starts_on,
      ends_on: p.ends_on,
    })),
    tasks: rows.tasks.map((t) => ({
      task_id: t.id,
      name: t.name,
      phase_id: t.phase_id,
      starts_on: t.starts_on,
      ends_on: t.ends_on,
      estimate_hours: Number(t.estimate_hours),
    })),
    milestones: rows.milestones.map((m) => ({ milestone_id: m.id, name: m.name, due_on: m.due_on })),
  }
}

export const baselineProject = defineTool({
  name: 'baseline_project',
  description:
    'Propose a baseline of a project: a snapshot of its current dates, phases, tasks (dates and hours), milestones and budget, to compare against later. Creates a proposal; nothing is stored until a person applies it.',
  inputSchema: projectIdInput.extend({
    name: z.string().trim().min(1).max(120).optional().describe('Default: "Baseline <date>"'),
  }),
  run: async (input, ctx): Promise<ToolResult> => {
    const rows = await ctx.asUser((tx) => loadProjectRows(tx, ctx, input.project_id))
    const name = input.name ?? `Baseline ${ctx.session.today}`
    const operations: ChangesetOperation[] = [
      {
        op: 'insert',
        table: 'baselines',
        values: {
          id: ctx.id('baseline', input.project_id, name),
          project_id: input.project_id,
          name,
          snapshot: snapshotOf(rows, ctx.session.today),
        },
      },
    ]
    const proposal = await ctx.propose({
      title: `Baseline ${rows.project.code}: ${name}`,
      summary: `Snapshot of ${rows.project.code} ${rows.project.name}: ${rows.tasks.length} tasks, ${rows.milestones.length} milestones, ${rows.project.starts_on} to ${rows.project.ends_on}.`,
      changeset: { version: 1, operations },
    })
    return {
      summary: `Proposed baseline "${name}" of ${rows.project.code}`,
      proposal_id: proposal.proposalId,
      project_id: rows.project.id,
      code: rows.project.code,
      name,
      tasks: rows.tasks.length,
      milestones: rows.milestones.length,
      starts_on: rows.project.starts_on,
      ends_on: rows.project.ends_on,
    }
  },
})

const snapshotSchema = z.looseObject({
  captured_on: z.string().optional(),
  ends_on: z.string(),
  budget_minor: z.number().nullable().optional(),
  tasks: z.array(
    z.looseObject({
      task_id: z.string(),
      name: z.string(),
      ends_on: z.string().nullable(),
      estimate_hours: z.number(),
    }),
  ),
  milestones: z.array(z.looseObject({ milestone_id: z.string(), name: z.string(), due_on: z.string() })),
})

export const compareToBaseline = defineTool({
  name: 'compare_to_baseline',
  description:
    "Compare a project with its latest baseline: end date slip, each milestone's slip, tasks that moved or changed hours, added and removed tasks, budget change. Reads only.",
  inputSchema: projectIdInput,
  run: async (input, ctx): Promise<ToolResult> => {
    const { rows, baseline } = await ctx.asUser(async (tx) => ({
      rows: await loadProjectRows(tx, ctx, input.project_id),
      baseline: await tx
        .selectFrom('baselines')
        .select(['id', 'name', 'snapshot', 'created_at'])
        .where('project_id', '=', input.project_id)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst(),
    }))
    if (!baseline) {
      throw new AppError('NOT_FOUND', `${rows.project.code} has no baseline yet; take one first`)
    }
    const snap = snapshotSchema.parse(baseline.snapshot)
    const endSlip = daysBetween(snap.ends_on, rows.project.ends_on)
    const milestones = rows.milestones.flatMap((m) => {
      const then = snap.milestones.find((b) => b.milestone_id === m.id)
      return then
        ? [
            {
              name: m.name,
              baseline_due_on: then.due_on,
              due_on: m.due_on,
              slip_days: daysBetween(then.due_on, m.due_on),
            },
          ]
        : []
    })
    const moved = rows.tasks.flatMap((t) => {
      const then = snap.tasks.find((b) => b.task_id === t.id)
      if (!then) return []
      const slip = then.ends_on && t.ends_on ? daysBetween(then.ends_on, t.ends_on) : 0
      const hours = Number(t.estimate_hours) - then.estimate_hours
      return slip !== 0 || hours !== 0 ? [{ name: t.name, slip_days: slip, hours_change: hours }] : []
    })
    const added = rows.tasks.filter((t) => !snap.tasks.some((b) => b.task_id === t.id)).map((t) => t.name)
    const removed = snap.tasks.filter((b) => !rows.tasks.some((t) => t.id === b.task_id)).map((b) => b.name)
    const hoursNow = rows.tasks.reduce((s, t) => s + Number(t.estimate_hours), 0)
    const hoursThen = snap.tasks.reduce((s, t) => s + t.estimate_hours, 0)
    const worst = [...milestones].sort((a, b) => b.slip_days - a.slip_days)[0]
    return {
      summary: `${rows.project.code} vs "${baseline.name}": end ${endSlip > 0 ? `${endSlip} days later` : endSlip < 0 ? `${-endSlip} days earlier` : 'unchanged'}${worst && worst.slip_days > 0 ? `, ${worst.name} ${worst.slip_days} days late` : ''}`,
      project_id: rows.project.id,
      code: rows.project.code,
      baseline: { id: baseline.id, name: baseline.name, captured_on: snap.captured_on ?? null },
      ends_on: rows.project.ends_on,
      baseline_ends_on: snap.ends_on,
      end_slip_days: endSlip,
      milestones,
      tasks_moved: moved.slice(0, 25),
      tasks_added: added,
      tasks_removed: removed,
      hours_now: Math.round(hoursNow),
      hours_baseline: Math.round(hoursThen),
      budget_minor: rows.project.budget_minor === null ? null : Number(rows.project.budget_minor),
      baseline_budget_minor: snap.budget_minor ?? null,
    }
  },
})
