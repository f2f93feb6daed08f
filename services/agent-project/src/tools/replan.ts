import { defineTool, type ToolResult } from '@psa/agent-runtime'
import { addDays, daysBetween, latest, nextWorkingDay } from '@psa/calendar'
import type { ChangesetOperation } from '@psa/changesets'
import { AppError } from '@psa/errors'
import { z } from 'zod'
import { loadProjectRows, type ProjectRows } from './project-rows.js'

export const replanInput = z.object({
  project_id: z.uuid().describe('The existing project to replan'),
  change: z
    .enum(['finish_earlier', 'finish_later', 'move_start', 'finish_by', 'person_unavailable'])
    .describe(
      'finish_earlier/finish_later: move the end by `days`; move_start: start on `date`; finish_by: end on `date`; person_unavailable: `person_id` is away from `from` to `to`',
    ),
  days: z.int().min(1).max(365).optional().describe('Calendar days, for finish_earlier and finish_later'),
  date: z.iso.date().optional().describe('The new start (move_start) or end (finish_by)'),
  person_id: z.uuid().optional().describe('For person_unavailable'),
  from: z.iso.date().optional().describe('First day away (person_unavailable)'),
  to: z.iso.date().optional().describe('Last day away (person_unavailable)'),
})
type ReplanInput = z.output<typeof replanInput>

type Task = ProjectRows['tasks'][number]
const DONE = new Set(['done', 'completed', 'cancelled'])
const working = (d: string) => nextWorkingDay(d)

interface Moves {
  tasks: Map<string, { starts_on: string; ends_on: string }>
  milestoneShift: (due: string) => string
  startsOn: string
  endsOn: string
  notes: string[]
}

/** Shifts every open task (and what is still due) by `days`. */
function shiftAll(rows: ProjectRows, days: number, today: string, includeStarted: boolean): Moves {
  const tasks = new Map<string, { starts_on: string; ends_on: string }>()
  for (const t of rows.tasks) {
    if (DONE.has(t.status) || !t.starts_on || !t.ends_on) continue
    if (!includeStarted && t.starts_on <= today) continue
    tasks.set(t.id, {
      starts_on: working(addDays(t.starts_on, days)),
      ends_on: working(addDays(t.ends_on, days)),
    })
  }
  const started = rows.project.starts_on <= today
  return {
    tasks,
    milestoneShift: (due) => (due >= today ? working(addDays(due, days)) : due),
    startsOn: started ? rows.project.starts_on : working(addDays(rows.project.starts_on, days)),
    endsOn: working(addDays(rows.project.ends_on, days)),
    notes: [],
  }
}

/** Squeezes the work still ahead of `today` into a shorter (or longer) window ending on `newEnd`. */
function compress(rows: ProjectRows, newEnd: string, today: string): Moves {
  const pivot = rows.project.starts_on > today ? rows.project.starts_on : today
  const span = daysBetween(pivot, rows.project.ends_on)
  const target = daysBetween(pivot, newEnd)
  if (span <= 0 || target <= 0)
    throw new AppError('VALIDATION_FAILED', `The new end ${newEnd} leaves no time after ${pivot}`)
  const factor = target / span
  const map = (d: string) =>
    d <= pivot ? d : working(addDays(pivot, Math.round(daysBetween(pivot, d) * factor)))
  const tasks = new Map<string, { starts_on: string; ends_on: string }>()
  for (const t of rows.tasks) {
    if (DONE.has(t.status) || !t.starts_on || !t.ends_on || t.ends_on <= pivot) continue
    const starts = map(t.starts_on)
    tasks.set(t.id, { starts_on: starts, ends_on: latest([starts, map(t.ends_on)]) })
  }
  const remaining = rows.tasks
    .filter((t) => !DONE.has(t.status) && t.ends_on && t.ends_on > pivot)
    .reduce((s, t) => s + Number(t.estimate_hours) * (1 - Number(t.percent_complete) / 100), 0)
  const weeklyNow = remaining / Math.max(1, span / 7)
  const weeklyThen = remaining / Math.max(1, target / 7)
  return {
    tasks,
    milestoneShift: map,
    startsOn: rows.project.starts_on,
    endsOn: newEnd,
    notes: [
      `The ${Math.round(remaining)} h still to do must fit in ${target} instead of ${span} days: about ${Math.round(weeklyThen)} h a week instead of ${Math.round(weeklyNow)} h (${Math.round((weeklyThen / weeklyNow - 1) * 100)}% more people-time per week, the same total hours).`,
    ],
  }
}

/** Moves the person's tasks that overlap their absence to after it, and everything that depends on them. */
function around(rows: ProjectRows, personId: string, from: string, to: string): Moves {
  const tasks = new Map<string, { starts_on: string; ends_on: string }>()
  const byId = new Map(rows.tasks.map((t) => [t.id, t]))
  const delay = new Map<string, number>()
  for (const t of rows.tasks) {
    if (t.assignee_person_id !== personId || DONE.has(t.status) || !t.starts_on || !t.ends_on) continue
    if (t.ends_on < from || t.starts_on > to) continue
    delay.set(t.id, daysBetween(t.starts_on < from ? from : t.starts_on, addDays(to, 1)))
  }
  // Successors move by at least their predecessor's delay (finish-to-start chains, in a few passes).
  for (let pass = 0; pass < rows.tasks.length && pass < 50; pass++) {
    let changed = false
    for (const d of rows.dependencies) {
      const shift = delay.get(d.predecessor_task_id) ?? 0
      if (shift > (delay.get(d.successor_task_id) ?? 0)) {
        delay.set(d.successor_task_id, shift)
        changed = true
      }
    }
    if (!changed) break
  }
  for (const [id, days] of delay) {
    const t = byId.get(id) as Task
    if (t.starts_on && t.ends_on)
      tasks.set(id, {
        starts_on: working(addDays(t.starts_on, days)),
        ends_on: working(addDays(t.ends_on, days)),
      })
  }
  const endsOn = latest([rows.project.ends_on, ...[...tasks.values()].map((t) => t.ends_on)])
  const slip = daysBetween(rows.project.ends_on, endsOn)
  return {
    tasks,
    milestoneShift: (due) => (slip > 0 && due >= from ? working(addDays(due, slip)) : due),
    startsOn: rows.project.starts_on,
    endsOn,
    notes: [
      delay.size === 0
        ? 'None of their tasks falls in that period, so nothing moves.'
        : `${delay.size} task(s) move after the absence${slip > 0 ? `, which pushes the end by ${slip} days` : ' within the current end date'}; reassigning their work to someone free would avoid the slip.`,
    ],
  }
}

function movesFor(rows: ProjectRows, input: ReplanInput, today: string): Moves {
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new AppError('VALIDATION_FAILED', `${input.change} needs ${what}`)
    return value
  }
  switch (input.change) {
    case 'finish_earlier':
      return compress(rows, working(addDays(rows.project.ends_on, -need(input.days, 'days'))), today)
    case 'finish_by':
      return compress(rows, need(input.date, 'date'), today)
    case 'finish_later':
      return shiftAll(rows, need(input.days, 'days'), today, false)
    case 'move_start': {
      const days = daysBetween(rows.project.starts_on, need(input.date, 'date'))
      if (rows.project.starts_on <= today)
        throw new AppError(
          'VALIDATION_FAILED',
          `${rows.project.code} started on ${rows.project.starts_on}; move its end instead`,
        )
      return shiftAll(rows, days, today, true)
    }
    case 'person_unavailable':
      return around(rows, need(input.person_id, 'person_id'), need(input.from, 'from'), need(input.to, 'to'))
  }
}

export const proposeReplan = defineTool({
  name: 'propose_replan',
  description:
    "Propose changes to an existing project's tasks, milestones and dates after a change: finish earlier or later, move the start, finish by a date, or work around a person's absence. Says what it costs (slip, or more hours per week). Creates a proposal; nothing changes until a person applies it.",
  inputSchema: replanInput,
  run: async (input, ctx): Promise<ToolResult> => {
    const rows = await ctx.asUser((tx) => loadProjectRows(tx, ctx, input.project_id))
    if (input.person_id) {
      const person = await ctx.asUser((tx) =>
        tx
          .selectFrom('people')
          .select('id')
          .where('id', '=', input.person_id as string)
          .where('organisation_id', '=', ctx.session.organisationId)
          .executeTakeFirst(),
      )
      if (!person) throw new AppError('NOT_FOUND', 'No such person in this organisation')
    }
    const moves = movesFor(rows, input, ctx.session.today)
    const operations: ChangesetOperation[] = []
    for (const t of rows.tasks) {
      const next = moves.tasks.get(t.id)
      if (next && (next.starts_on !== t.starts_on || next.ends_on !== t.ends_on))
        operations.push({ op: 'update', table: 'tasks', id: t.id, expected_version: t.version, set: next })
    }
    for (const m of rows.milestones) {
      if (m.completed_on) continue
      const due = moves.milestoneShift(m.due_on)
      if (due !== m.due_on)
        operations.push({
          op: 'update',
          table: 'milestones',
          id: m.id,
          expected_version: m.version,
          set: { due_on: due },
        })
    }
    if (moves.startsOn !== rows.project.starts_on || moves.endsOn !== rows.project.ends_on) {
      operations.push({
        op: 'update',
        table: 'projects',
        id: rows.project.id,
        expected_version: rows.project.version,
        set: { starts_on: moves.startsOn, ends_on: moves.endsOn },
      })
    }
    const summary = `${rows.project.code}: ${rows.project.starts_on}–${rows.project.ends_on} becomes ${moves.startsOn}–${moves.endsOn}; ${moves.tasks.size} task(s) move. ${moves.notes.join(' ')}`
    const proposal =
      operations.length > 0
        ? await ctx.propose({
            title: `Replan ${rows.project.code} (${input.change.replaceAll('_', ' ')})`,
            summary,
            changeset: { version: 1, operations },
          })
        : null
    return {
      summary,
      proposal_id: proposal?.proposalId ?? null,
      project_id: rows.project.id,
      code: rows.project.code,
      change: input.change,
      starts_on: moves.startsOn,
      ends_on: moves.endsOn,
      was_starts_on: rows.project.starts_on,
      was_ends_on: rows.project.ends_on,
      tasks_moved: moves.tasks.size,
      changes: operations.length,
      notes: moves.notes,
    }
  },
})
