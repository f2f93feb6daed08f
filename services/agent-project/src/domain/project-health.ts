import { addDays, countWeekdays, daysBetween, earliest } from '@psa/calendar'

/** What a project's status is computed from (money in integer minor units, dates ISO). */
export interface ProjectFacts {
  startsOn: string
  endsOn: string
  budgetMinor: number | null
  /**
   * Budget burn to date: booked time at the project's rate card (@psa/project-burn's `budgetBurn`, the
   * budget's own terms). The actual cost (AC) of earned value.
   */
  actualMinor: number
  tasks: readonly {
    estimateHours: number
    percentComplete: number
    status: string
    startsOn: string | null
    endsOn: string | null
  }[]
  milestones: readonly { name: string; dueOn: string; completedOn: string | null }[]
}

export type Health = 'green' | 'amber' | 'red'

/** Earned value in minor units; an index or forecast is null where it is undefined (nothing to divide by). */
export interface EarnedValue {
  /** Budget at completion. */
  bacMinor: number
  /** Planned value: BAC × the estimate-weighted share of each task's planned working days gone by today. */
  pvMinor: number
  /** Earned value: BAC × estimate-weighted % complete. */
  evMinor: number
  /** Actual cost: the budget burn. */
  acMinor: number
  /** EV / AC; null while AC is 0. */
  cpi: number | null
  /** EV / PV; null while PV is 0. */
  spi: number | null
  /** Estimate at completion, BAC / CPI; null without a (non-zero) CPI. */
  eacMinor: number | null
  /** Estimate to complete, EAC − AC. */
  etcMinor: number | null
  /** Variance at completion, BAC − EAC: negative is a forecast overrun. */
  vacMinor: number | null
}

export interface ProjectAssessment {
  /** Budget burn (AC / BAC), percent with two decimals; null without a budget. */
  burnPct: number | null
  /** Work done: task completion weighted by estimate (by count when nothing is estimated), percent. */
  progressPct: number
  /** Work planned done by `today`: the estimate-weighted share of each task's working days gone, percent. */
  plannedPct: number
  /** Share of the project's calendar gone by `today`, percent. */
  elapsedPct: number
  /** Progress minus planned progress, in percentage points ((EV − PV) / BAC): negative means behind. */
  scheduleVariancePts: number
  /** Earned value; null without a budget. */
  earnedValue: EarnedValue | null
  /** EAC: cost at completion if the rest costs what the work so far did; null before it can be told. */
  forecastAtCompletionMinor: number | null
  /** VAC, budget minus the forecast: negative is a forecast overrun. */
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

/** Share of a task's working days (start to end, inclusive) before `today`; its calendar days if it has none. */
function plannedShare(startsOn: string, endsOn: string, today: string): number {
  if (today <= startsOn) return 0
  if (today > endsOn) return 1
  const total = countWeekdays(startsOn, endsOn)
  const lastDay = addDays(today, -1)
  if (total === 0) return daysBetween(startsOn, lastDay) / (daysBetween(startsOn, endsOn) + 1)
  return countWeekdays(startsOn, earliest([endsOn, lastDay])) / total
}

/**
 * A project's burn, earned value, schedule and forecast, and a health rating with its reasons. Burn is AC /
 * BAC, the forecast is EAC = BAC / CPI, the schedule is EV against PV. Red: budget spent or forecast more
 * than 10% over it, two or more late milestones, or more than 20 points behind plan. Amber: burn at 85% or
 * more, forecast over budget, a late milestone, or more than 10 points behind. Green otherwise.
 */
export function assessProject(facts: ProjectFacts, today: string): ProjectAssessment {
  const estimate = facts.tasks.reduce((sum, t) => sum + t.estimateHours, 0)
  const progressPct =
    facts.tasks.length === 0
      ? 0
      : estimate > 0
        ? facts.tasks.reduce((sum, t) => sum + t.estimateHours * t.percentComplete, 0) / estimate
        : (facts.tasks.filter((t) => t.status === 'done').length / facts.tasks.length) * 100
  const planned = facts.tasks.map((t) =>
    plannedShare(t.startsOn ?? facts.startsOn, t.endsOn ?? facts.endsOn, today),
  )
  const plannedPct =
    facts.tasks.length === 0
      ? 0
      : estimate > 0
        ? (facts.tasks.reduce((sum, t, i) => sum + t.estimateHours * (planned[i] ?? 0), 0) / estimate) * 100
        : (planned.reduce((sum, share) => sum + share, 0) / facts.tasks.length) * 100
  const span = daysBetween(facts.startsOn, facts.endsOn) + 1
  const elapsedPct = Math.min(100, Math.max(0, (daysBetween(facts.startsOn, today) / span) * 100))
  const bac = facts.budgetMinor && facts.budgetMinor > 0 ? facts.budgetMinor : null
  const burnPct = bac === null ? null : round2((facts.actualMinor / bac) * 100)
  const earnedValue =
    bac === null ? null : measureEarnedValue(bac, progressPct, plannedPct, facts.actualMinor)
  const forecastAtCompletionMinor = earnedValue?.eacMinor ?? null
  const forecastVarianceMinor = earnedValue?.vacMinor ?? null
  const lateMilestones = facts.milestones
    .filter((m) => m.completedOn === null && m.dueOn < today)
    .map((m) => ({ name: m.name, dueOn: m.dueOn, daysLate: daysBetween(m.dueOn, today) }))
    .sort((a, b) => b.daysLate - a.daysLate)
  const upcoming = facts.milestones
    .filter((m) => m.completedOn === null && m.dueOn >= today)
    .sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : 0))[0]
  const open = facts.tasks.filter((t) => t.status !== 'done')
  const scheduleVariancePts = round2(progressPct - plannedPct)

  const red: string[] = []
  const amber: string[] = []
  if (burnPct !== null && burnPct >= 100) red.push(`the budget is spent (${burnPct}% burned)`)
  else if (burnPct !== null && burnPct >= 85) amber.push(`${burnPct}% of the budget is burned`)
  if (forecastVarianceMinor !== null && bac !== null) {
    const over = -forecastVarianceMinor / bac
    const why = `the forecast at completion is ${Math.round(over * 100)}% over budget (CPI ${earnedValue?.cpi?.toFixed(2)})`
    if (over > 0.1) red.push(why)
    else if (over > 0) amber.push(why)
  }
  if (lateMilestones.length >= 2) red.push(`${lateMilestones.length} milestones are late`)
  else if (lateMilestones.length === 1) {
    const late = lateMilestones[0] as { name: string; daysLate: number }
    amber.push(`milestone "${late.name}" is ${late.daysLate} day(s) late`)
  }
  const spi = earnedValue?.spi == null ? '' : ` (SPI ${earnedValue.spi.toFixed(2)})`
  const behind = `work is ${Math.round(-scheduleVariancePts)} points behind the plan${spi}`
  if (scheduleVariancePts < -20) red.push(behind)
  else if (scheduleVariancePts < -10) amber.push(behind)
  const health: Health = red.length > 0 ? 'red' : amber.length > 0 ? 'amber' : 'green'

  return {
    burnPct,
    progressPct: round2(progressPct),
    plannedPct: round2(plannedPct),
    elapsedPct: round2(elapsedPct),
    scheduleVariancePts,
    earnedValue,
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

/** BAC, PV, EV and AC, with the indices and forecasts they give (null where a divisor is 0). */
export function measureEarnedValue(
  bacMinor: number,
  progressPct: number,
  plannedPct: number,
  acMinor: number,
): EarnedValue {
  const evMinor = Math.round((bacMinor * progressPct) / 100)
  const pvMinor = Math.round((bacMinor * plannedPct) / 100)
  const cpi = acMinor > 0 ? evMinor / acMinor : null
  const spi = pvMinor > 0 ? evMinor / pvMinor : null
  const eacMinor = cpi ? Math.round(bacMinor / cpi) : null
  return {
    bacMinor,
    pvMinor,
    evMinor,
    acMinor,
    cpi: cpi === null ? null : Math.round(cpi * 1000) / 1000,
    spi: spi === null ? null : Math.round(spi * 1000) / 1000,
    eacMinor,
    etcMinor: eacMinor === null ? null : eacMinor - acMinor,
    vacMinor: eacMinor === null ? null : bacMinor - eacMinor,
  }
}
