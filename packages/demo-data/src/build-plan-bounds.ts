// The last word on a project's figures: after progress and timesheets have followed their targets, every
// project that is not a planted problem is measured exactly as a manager (and consistency.test.ts) reads it
// (earned value on the day it is judged), and one that still falls outside a believable band is brought
// back. That happens where time off takes out a large share of a short project's plan, or where rounding
// progress to whole steps leaves a small project off its schedule target; most projects are left alone.

import { mondayOf } from '@psa/calendar'
import { entryValuer, measuredOn, projectEarnedValue, taskProgress } from './analysis.js'
import { performanceTarget, plantedProject } from './build-performance.js'
import type { ProjectIndex } from './build-projects.js'
import type { OrgContext } from './context.js'
import type { ProjectRow, TaskRow, TimeEntryRow } from './types.js'

/** What counts as within plan here: inside the 0.8-1.2 a manager accepts, with room for rounding. */
const CPI_BAND = [0.86, 1.17] as const
const SPI_BAND = [0.84, 1.16] as const
/** Where a repair aims: nearer plan still, so that whole percents and quarter hours keep it inside the band. */
const CPI_AIM = [0.9, 1.12] as const
const SPI_AIM = [0.88, 1.12] as const
/** An active project's burn stays clear of the 85% the planted overrun is flagged at. */
const MAX_ACTIVE_BURN = 0.8
/** The timesheet limits the builders keep (a week's booking plus 20%, 11.5 hours a day). */
const MAX_WEEK_OVER_BOOKING = 1.2
const MAX_DAY_HOURS = 11.5

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x))
const within = (x: number | null, [lo, hi]: readonly [number, number]) => x !== null && x >= lo && x <= hi

/** Tasks whose progress may move: those under way (or held) on the day the project is judged. */
function movable(tasks: readonly TaskRow[]): TaskRow[] {
  return tasks.filter((t) => t.status === 'in_progress' || t.status === 'blocked')
}

/**
 * Sets the movable tasks' progress (whole percents, 1-99, each in proportion to its share of working days
 * gone) so that the project's estimate-weighted progress is as near `target` as whole percents allow.
 */
function setProgress(tasks: readonly TaskRow[], running: readonly TaskRow[], asOf: string, target: number) {
  const shares = running.map((t) => taskProgress([{ ...t, percent_complete: 100 }], asOf).planned)
  const apply = (factor: number) =>
    running.forEach((t, i) => {
      t.percent_complete = clamp(Math.round((shares[i] as number) * factor * 100), 1, 99)
    })
  let [lo, hi] = [0, 20]
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2
    apply(mid)
    if (taskProgress(tasks, asOf).progress < target) lo = mid
    else hi = mid
  }
  apply((lo + hi) / 2)
}

export function keepWithinPlan(
  ctx: OrgContext,
  projects: ProjectIndex,
  /** The time entries of these projects' people (no one else's). */
  logged: readonly TimeEntryRow[],
  /** Projects whose budget is a quote's price (never re-priced). */
  quoted: ReadonlySet<string>,
): void {
  const value = entryValuer(ctx.tables, ctx.orgId)
  const entries = new Map<string, TimeEntryRow[]>()
  const dayTotal = new Map<string, number>()
  for (const e of logged) {
    const list = entries.get(e.project_id)
    if (list) list.push(e)
    else entries.set(e.project_id, [e])
    const day = `${e.person_id}/${e.work_date}`
    dayTotal.set(day, (dayTotal.get(day) ?? 0) + e.hours)
  }
  const booked = new Map<string, number>()
  for (const s of projects.slots) {
    const a = s.allocation
    if (a?.kind !== 'hard') continue
    const key = `${a.person_id}/${a.project_id}`
    booked.set(key, Math.max(booked.get(key) ?? 0, a.hours_per_week))
  }
  const allocations = projects.slots.flatMap((s) => (s.allocation ? [s.allocation] : []))

  for (const [code, spec] of projects.specs) {
    const project = projects.projects.get(code) as ProjectRow
    if (plantedProject(spec) || spec.status === 'tentative' || project.budget_minor <= 0) continue
    const tasks = projects.tasks.get(code) ?? []
    const mine = entries.get(project.id) ?? []
    const asOf = measuredOn(project, allocations, ctx.anchor)
    const before = mine.filter((e) => e.work_date < asOf)
    const actual = () => before.reduce((sum, e) => sum + value(project, e), 0)
    const measure = () => projectEarnedValue(project, tasks, actual(), asOf)
    const fine = () => {
      const m = measure()
      return within(m.cpi, CPI_BAND) && within(m.spi, SPI_BAND)
    }
    if (before.length === 0 || fine()) continue
    const target = performanceTarget(ctx, spec)
    const cpiAim = clamp(target.cpi, ...CPI_AIM)
    const running = movable(tasks)
    const maxBurn = project.status === 'active' ? MAX_ACTIVE_BURN : Number.POSITIVE_INFINITY

    // 1. Progress: as far along as both the schedule and the hours logged allow, near plan if it can be,
    // else anywhere within the band.
    const moveProgress = () => {
      if (running.length === 0) return
      const { planned } = taskProgress(tasks, asOf)
      const paidFor = actual() / project.budget_minor
      for (const [spi, cpi] of [
        [SPI_AIM, CPI_AIM],
        [SPI_BAND, CPI_BAND],
      ] as const) {
        const lo = Math.max(spi[0] * planned, cpi[0] * paidFor)
        const hi = Math.min(spi[1] * planned, cpi[1] * paidFor)
        if (lo > hi) continue
        setProgress(tasks, running, asOf, clamp(clamp(target.spi, ...SPI_AIM) * planned, lo, hi))
        return
      }
    }
    moveProgress()
    if (fine()) continue

    // 2. Timesheets: scale the hours logged toward what the progress earned at the cost target, within the
    // limits a timesheet keeps (catching up after time off, never past a week's booking + 20% or 11.5 h a day).
    // The progress aimed at is the schedule's where progress can move, what is done where it cannot.
    const now = taskProgress(tasks, asOf)
    const aimed = running.length > 0 ? clamp(target.spi, ...SPI_AIM) * now.planned : now.progress
    const goal = Math.min((aimed * project.budget_minor) / cpiAim, maxBurn * project.budget_minor)
    for (let round = 0; round < 4; round++) {
      const now = actual()
      if (now <= 0 || Math.abs(goal / now - 1) < 0.01) break
      const factor = goal / now
      const weeks = new Map<string, number>()
      for (const e of before) {
        const week = `${e.person_id}/${mondayOf(e.work_date)}`
        weeks.set(week, (weeks.get(week) ?? 0) + e.hours)
      }
      for (const e of before) {
        const week = `${e.person_id}/${mondayOf(e.work_date)}`
        const day = `${e.person_id}/${e.work_date}`
        const weekRoom =
          MAX_WEEK_OVER_BOOKING * (booked.get(`${e.person_id}/${project.id}`) ?? 0) - (weeks.get(week) ?? 0)
        const dayRoom = MAX_DAY_HOURS - (dayTotal.get(day) ?? 0)
        const wanted = Math.max(0.5, Math.round(e.hours * factor * 4) / 4)
        const hours =
          wanted > e.hours
            ? e.hours + Math.floor(Math.min(wanted - e.hours, weekRoom, dayRoom) * 4) / 4
            : wanted
        if (hours === e.hours) continue
        weeks.set(week, (weeks.get(week) ?? 0) + hours - e.hours)
        dayTotal.set(day, (dayTotal.get(day) ?? 0) + hours - e.hours)
        e.hours = hours
      }
    }
    moveProgress()
    if (fine() || quoted.has(code)) continue

    // 3. The plan: where the team could not work it (a long absence in a short project), the budget is
    // re-priced at what the work took, at the cost target (a change request, as a firm would raise one),
    // and work under way is as far along as the schedule says.
    const now2 = taskProgress(tasks, asOf)
    const progressed = running.length > 0 ? clamp(target.spi, ...SPI_AIM) * now2.planned : now2.progress
    const spent = actual()
    if (progressed > 0 && spent > 0) {
      const budget = (cpiAim * spent) / progressed
      project.budget_minor = Math.max(100_000, Math.round(budget / 100_000) * 100_000)
      moveProgress()
    }
  }
}
