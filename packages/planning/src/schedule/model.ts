import { z } from 'zod'

/**
 * The scheduling model. Time is counted in whole working days from the project start (day 0); a task that
 * starts on day s with duration d occupies days s, s+1, …, s+d-1 and finishes at s+d (the first day after
 * it). A calendar, when given, maps working days to ISO dates at the edge.
 */

const day = z.number().int().min(0).max(100_000)
const isoDate = z.iso.date()

/** The dependency types of `public.dependency_type`, with the same names. */
export const dependencyTypeSchema = z.enum([
  'finish_to_start',
  'start_to_start',
  'finish_to_finish',
  'start_to_finish',
])
export type DependencyType = z.infer<typeof dependencyTypeSchema>

export const demandSchema = z.object({
  resource: z.string().min(1),
  /** Units of the resource used on every day the task runs (people, FTE, …). */
  amount: z.number().positive().finite(),
})

export const taskSchema = z.object({
  id: z.string().min(1),
  /** Working days; 0 is a milestone (uses no resource). */
  duration: z.number().int().min(0).max(10_000),
  /** Earliest start (working day). */
  release: day.optional(),
  /** Latest finish (working day, the finish being the day after the last day worked). Soft in levelling. */
  deadline: day.optional(),
  demands: z.array(demandSchema).default([]),
})

export const dependencySchema = z.object({
  /** The predecessor task's id. */
  from: z.string().min(1),
  /** The successor task's id. */
  to: z.string().min(1),
  type: dependencyTypeSchema.default('finish_to_start'),
  /** Working days; negative is a lead (the successor may overlap the predecessor). */
  lag: z.number().int().min(-10_000).max(10_000).default(0),
})

export const capacityChangeSchema = z
  .object({
    /** First working day of the change. */
    from: day,
    /** First working day after it (exclusive). */
    to: day,
    capacity: z.number().min(0).finite(),
  })
  .refine((c) => c.to > c.from, { message: 'a capacity change must end after it starts (to > from)' })

export const resourceSchema = z.object({
  id: z.string().min(1),
  /** Units available per working day, outside the changes below. */
  capacity: z.number().min(0).finite(),
  /** Per-period overrides (holidays, time off, bookings elsewhere net of capacity); later entries win. */
  changes: z.array(capacityChangeSchema).default([]),
})

export const calendarSchema = z.object({
  /** The date of working day 0 (moved to the next working day if it is not one). */
  start: isoDate,
  /** Weekdays worked, ISO 8601: 1 = Monday … 7 = Sunday (as in @psa/calendar). */
  workingWeekdays: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5]),
  holidays: z.array(isoDate).default([]),
})

export const scheduleProblemSchema = z
  .object({
    tasks: z.array(taskSchema).min(1).max(20_000),
    dependencies: z.array(dependencySchema).default([]),
    resources: z.array(resourceSchema).default([]),
    calendar: calendarSchema.optional(),
  })
  .superRefine((p, ctx) => {
    const tasks = new Set<string>()
    p.tasks.forEach((t, i) => {
      if (tasks.has(t.id))
        ctx.addIssue({ code: 'custom', path: ['tasks', i, 'id'], message: `duplicate task id ${t.id}` })
      tasks.add(t.id)
    })
    const resources = new Set<string>()
    p.resources.forEach((r, i) => {
      if (resources.has(r.id))
        ctx.addIssue({
          code: 'custom',
          path: ['resources', i, 'id'],
          message: `duplicate resource id ${r.id}`,
        })
      resources.add(r.id)
    })
    p.tasks.forEach((t, i) => {
      t.demands.forEach((d, k) => {
        if (!resources.has(d.resource))
          ctx.addIssue({
            code: 'custom',
            path: ['tasks', i, 'demands', k, 'resource'],
            message: `unknown resource ${d.resource}`,
          })
      })
    })
    p.dependencies.forEach((d, i) => {
      if (!tasks.has(d.from))
        ctx.addIssue({ code: 'custom', path: ['dependencies', i, 'from'], message: `unknown task ${d.from}` })
      if (!tasks.has(d.to))
        ctx.addIssue({ code: 'custom', path: ['dependencies', i, 'to'], message: `unknown task ${d.to}` })
      if (d.from === d.to)
        ctx.addIssue({ code: 'custom', path: ['dependencies', i], message: 'a task cannot depend on itself' })
    })
  })

export type ScheduleProblemInput = z.input<typeof scheduleProblemSchema>
export type ScheduleProblem = z.output<typeof scheduleProblemSchema>
export type Task = z.output<typeof taskSchema>
export type Dependency = z.output<typeof dependencySchema>
export type Resource = z.output<typeof resourceSchema>
export type Calendar = z.output<typeof calendarSchema>
