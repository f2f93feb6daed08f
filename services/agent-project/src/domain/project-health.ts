import { daysBetween } from '@psa/calendar'

/** What a project's status is computed from (money in integer minor units, dates ISO). */
export interface ProjectFacts {
  startsOn: string
  endsOn: string
  budgetMinor: number | null
  /** Cost of the time logged so far: hours times each person's cost rate. */
  costToDateMinor: number
  tasks: readonly { estimateHours: number; percentComplete: number; status: string; endsOn: string | null }[]
  milestones: readonly { name: string; dueOn: string; completedOn: string | null }[]
}

export type Health = 'green' | 'amber' | 'red'

export interface ProjectAssessment {
  /** Cost to date as a share of the budget, percent with two decimals; null without a budget. */
  burnPct: number | null
  /** Work done: task completion weighted by estimate (by count when nothing is estimated), percent. */
  progressPct: number
  /** Share of the scheduled calendar gone by `today`, percent. */
  elapsedPct: number
  /** Progress minus elapsed time, in percentage points: negative means behind schedule. */
  scheduleVariancePts: number
  /** Cost at completion if the rest costs what the work so far did (cost / progress); null before progress. */
  forecastAtCompletionMinor: number | null
  /** Budget minus the forecast: negative is a forecast overrun. */
  forecastVarianceMinor: number | null
  lateMilestones: { name: string; dueOn: string; daysLate: number }[]
  nextMilestone: { name: string; dueOn: string } | null
  openTasks: number
  blockedTasks: number
  /** Open tasks whose end date has passed. */
  overdueTasks: number
  health: Health
  /** Why the health is what it is, most serious first. */
  findings: string[]
}

const round2 = (value: number) => Math.round(value * 100) / 100

/**
 * A project's burn, progress, schedule and forecast, and a health rating with its reasons. Red: budget
 * spent or forecast more than 10% over it, two or more late milestones, or more than 20 points behind
 * schedule. Amber: burn at 85% or more, forecast over budget, a late milestone, or more than 10 points
 * behind. Green otherwise.
 */
export function assessProject(facts: ProjectFacts, today: string): ProjectAssessment {
  const estimate = facts.tasks.reduce((sum, t) => sum + t.estimateHours, 0)
  const progressPct =
    facts.tasks.length === 0
      ? 0
      : estimate > 0
        ? facts.tasks.reduce((sum, t) => sum + t.estimateHours * t.percentComplete, 0) / estimate
        : (facts.tasks.filter((t) => t.status === 'done').length / facts.tasks.length) * 100
  const span = daysBetween(facts.startsOn, facts.endsOn) + 1
  const elapsedPct = Math.min(100, Math.max(0, (daysBetween(facts.startsOn, today) / span) * 100))
  const burnPct =
    facts.budgetMinor && facts.budgetMinor > 0
      ? round2((facts.costToDateMinor / facts.budgetMinor) * 100)
      : null
  const forecastAtCompletionMinor =
    progressPct > 0 ? Math.round(facts.costToDateMinor / (progressPct / 100)) : null
  const forecastVarianceMinor =
    forecastAtCompletionMinor !== null && facts.budgetMinor !== null
      ? facts.budgetMinor - forecastAtCompletionMinor
      : null
  const lateMilestones = facts.milestones
    .filter((m) => m.completedOn === null && m.dueOn < today)
    .map((m) => ({ name: m.name, dueOn: m.dueOn, daysLate: daysBetween(m.dueOn, today) }))
    .sort((a, b) => b.daysLate - a.daysLate)
  const upcoming = facts.milestones
    .filter((m) => m.completedOn === null && m.dueOn >= today)
    .sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : 0))[0]
  const open = facts.tasks.filter((t) => t.status !== 'done')
  const scheduleVariancePts = round2(progressPct - elapsedPct)

  const red: string[] = []
  const amber: string[] = []
  if (burnPct !== null && burnPct >= 100) red.push(`the budget is spent (${burnPct}% burned)`)
  else if (burnPct !== null && burnPct >= 85) amber.push(`${burnPct}% of the budget is burned`)
  if (forecastVarianceMinor !== null && facts.budgetMinor) {
    const over = -forecastVarianceMinor / facts.budgetMinor
    if (over > 0.1) red.push(`the forecast at completion is ${Math.round(over * 100)}% over budget`)
    else if (over > 0) amber.push(`the forecast at completion is ${Math.round(over * 100)}% over budget`)
  }
  if (lateMilestones.length >= 2) red.push(`${lateMilestones.length} milestones are late`)
  else if (lateMilestones.length === 1) {
    const late = lateMilestones[0] as { name: string; daysLate: number }
    amber.push(`milestone "${late.name}" is ${late.daysLate} day(s) late`)
  }
  if (scheduleVariancePts < -20)
    red.push(`work is ${Math.round(-scheduleVariancePts)} points behind the schedule`)
  else if (scheduleVariancePts < -10)
    amber.push(`work is ${Math.round(-scheduleVariancePts)} points behind the schedule`)
  const health: Health = red.length > 0 ? 'red' : amber.length > 0 ? 'amber' : 'green'

  return {
    burnPct,
    progressPct: round2(progressPct),
    elapsedPct: round2(elapsedPct),
    scheduleVariancePts,
    forecastAtCompletionMinor,
    forecastVarianceMinor,
    lateMilestones,
    nextMilestone: upcoming ? { name: upcoming.name, dueOn: upcoming.dueOn } : null,
    openTasks: open.length,
    blockedTasks: open.filter((t) => t.status === 'blocked').length,
    overdueTasks: open.filter((t) => t.endsOn !== null && t.endsOn < today).length,
    health,
    findings: [...red, ...amber],
  }
}
