import { addDays, isoWeekday, nextWorkingDay } from '@psa/calendar'
import { COMPACT, type DependencyType, PM, TEMPLATES, type TemplateName } from '@psa/project-templates'

export { chooseTemplate, type TemplateName } from '@psa/project-templates'

/**
 * A project plan from a template (@psa/project-templates): phases sized to the requested length, tasks with
 * roles and hour estimates fitted to the budget, dependencies of the template's types and lags, and a
 * milestone at the end of each phase.
 */

export interface PlanRole {
  id: string
  name: string
  /** The bill rate for this project (the client's rate card on the start date, else the role's). */
  billRateMinor: number
  costRateMinor: number
}

export interface PlanInput {
  startsOn: string
  weeks: number
  budgetMinor: number | null
  template: TemplateName
  roles: readonly PlanRole[]
  /** Share of the budget the plan's hours may use; the rest is contingency. Default 0.9. */
  budgetShare?: number
}

export interface PlannedPhase {
  key: string
  name: string
  sequence: number
  startsOn: string
  endsOn: string
  weeks: number
}

export interface PlannedTask {
  key: string
  phaseKey: string | null
  name: string
  roleName: string | null
  roleId: string | null
  estimateHours: number
  startsOn: string
  endsOn: string
}

export interface PlannedDependency {
  from: string
  to: string
  type: DependencyType
  lagDays: number
}

export interface Plan {
  startsOn: string
  endsOn: string
  phases: PlannedPhase[]
  tasks: PlannedTask[]
  /** `to` depends on `from` by `type`, with a lag in calendar days (between phases: finish-to-start). */
  dependencies: PlannedDependency[]
  milestones: { key: string; name: string; dueOn: string }[]
  totalHours: number
  /** The plan's hours at the project's bill rates and at cost. */
  valueMinor: number
  costMinor: number
  /** Factor applied to the template's hours to fit the budget (1 without a budget). */
  scale: number
  notes: string[]
}

const HOURS_PER_DAY = 8

/** The `index`-th working day (Mon-Fri) counted from `start` (itself a working day). */
export function workingDay(start: string, index: number): string {
  const weeks = Math.floor(index / 5)
  let day = addDays(start, weeks * 7)
  for (let i = 0; i < index % 5; i++) {
    day = addDays(day, 1)
    if (isoWeekday(day) === 6) day = addDays(day, 2)
  }
  return day
}

/** Phase lengths in whole weeks that add up to `weeks`, each at least one, proportional to the weights. */
export function phaseWeeks(weights: readonly number[], weeks: number): number[] {
  const total = weights.reduce((a, b) => a + b, 0)
  const raw = weights.map((w) => (w / total) * weeks)
  const result = raw.map((r) => Math.max(1, Math.floor(r)))
  let remaining = weeks - result.reduce((a, b) => a + b, 0)
  // Hand out what is left by largest remainder, then take back from the longest phases if over.
  const order = raw
    .map((r, i) => ({ i, rest: r - Math.floor(r) }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i)
    .map((o) => o.i)
  for (let k = 0; remaining > 0; k = (k + 1) % order.length, remaining--) {
    const i = order[k] as number
    result[i] = (result[i] as number) + 1
  }
  while (remaining < 0) {
    const longest = result.indexOf(Math.max(...result))
    result[longest] = (result[longest] as number) - 1
    remaining++
  }
  return result
}

const roundHalf = (hours: number) => Math.max(0.5, Math.round(hours * 2) / 2)

export function buildPlan(input: PlanInput): Plan {
  if (!Number.isInteger(input.weeks) || input.weeks < 2 || input.weeks > 156) {
    throw new RangeError('a plan needs a whole number of weeks between 2 and 156')
  }
  const notes: string[] = []
  const template = input.weeks < 5 ? COMPACT : TEMPLATES[input.template]
  if (input.weeks < 5) notes.push(`At ${input.weeks} weeks I merged the phases into ${COMPACT.length}.`)
  const startsOn = nextWorkingDay(input.startsOn)
  if (startsOn !== input.startsOn)
    notes.push(`${input.startsOn} is a weekend day; the plan starts on ${startsOn}.`)
  const roleByName = new Map(input.roles.map((r) => [r.name.toLowerCase(), r]))
  const missingRoles = new Set<string>()
  const pickRole = (names: readonly string[]) => {
    for (const name of names) {
      const role = roleByName.get(name.toLowerCase())
      if (role) return role
    }
    missingRoles.add(names[0] as string)
    return null
  }

  const lengths = phaseWeeks(
    template.map((p) => p.weight),
    input.weeks,
  )
  const phases: PlannedPhase[] = []
  const tasks: (PlannedTask & { rawHours: number; rate: number; cost: number })[] = []
  const dependencies: PlannedDependency[] = []
  const milestones: Plan['milestones'] = []
  let dayOffset = 0
  let previousTerminal: string[] = []
  template.forEach((phase, index) => {
    const weeks = lengths[index] as number
    const days = weeks * 5
    const phaseStart = workingDay(startsOn, dayOffset)
    const phaseEnd = workingDay(startsOn, dayOffset + days - 1)
    phases.push({
      key: phase.key,
      name: phase.name,
      sequence: index + 1,
      startsOn: phaseStart,
      endsOn: phaseEnd,
      weeks,
    })
    const afterOf = (t: (typeof phase.tasks)[number]) =>
      (t.after ?? []).map((a) =>
        typeof a === 'string'
          ? { task: a, type: 'finish_to_start' as const, lagDays: 0 }
          : { lagDays: 0, ...a },
      )
    const predecessorsInPhase = new Set(phase.tasks.flatMap((t) => afterOf(t).map((a) => a.task)))
    for (const task of phase.tasks) {
      const [from, to] = task.span ?? [0, 1]
      const first = Math.min(days - 1, Math.round(from * days))
      const last = Math.max(first, Math.round(to * days) - 1)
      const role = pickRole(task.roles)
      const key = `${phase.key}.${task.key}`
      const rawHours = task.fte * (last - first + 1) * HOURS_PER_DAY
      tasks.push({
        key,
        phaseKey: phase.key,
        name: task.name,
        roleName: role?.name ?? null,
        roleId: role?.id ?? null,
        estimateHours: rawHours,
        startsOn: workingDay(startsOn, dayOffset + first),
        endsOn: workingDay(startsOn, dayOffset + last),
        rawHours,
        rate: role?.billRateMinor ?? 0,
        cost: role?.costRateMinor ?? 0,
      })
      for (const before of afterOf(task))
        dependencies.push({
          from: `${phase.key}.${before.task}`,
          to: key,
          type: before.type,
          lagDays: before.lagDays,
        })
      if (!task.after || task.after.length === 0) {
        for (const gate of previousTerminal)
          dependencies.push({ from: gate, to: key, type: 'finish_to_start', lagDays: 0 })
      }
    }
    // The template's spans are a first guess; move successors so every dependency holds on the dates.
    for (const d of dependencies) {
      const pred = tasks.find((t) => t.key === d.from)
      const succ = tasks.find((t) => t.key === d.to)
      if (!pred || !succ || succ.phaseKey !== phase.key) continue
      const earliestStart =
        d.type === 'start_to_start'
          ? addDays(pred.startsOn, d.lagDays)
          : d.type === 'finish_to_start'
            ? addDays(pred.endsOn, d.lagDays + 1)
            : null
      if (earliestStart && succ.startsOn < earliestStart) {
        succ.startsOn = nextWorkingDay(earliestStart)
        if (succ.endsOn < succ.startsOn) succ.endsOn = succ.startsOn
      }
      const earliestEnd = d.type === 'finish_to_finish' ? addDays(pred.endsOn, d.lagDays) : null
      if (earliestEnd && succ.endsOn < earliestEnd) succ.endsOn = nextWorkingDay(earliestEnd)
    }
    previousTerminal = phase.tasks
      .filter((t) => !predecessorsInPhase.has(t.key))
      .map((t) => `${phase.key}.${t.key}`)
    milestones.push({ key: phase.key, name: phase.milestone, dueOn: phaseEnd })
    dayOffset += days
  })
  const endsOn = workingDay(startsOn, dayOffset - 1)
  const pmRole = pickRole(PM.roles)
  const pmRaw = PM.fte * dayOffset * HOURS_PER_DAY
  tasks.push({
    key: PM.key,
    phaseKey: null,
    name: PM.name,
    roleName: pmRole?.name ?? null,
    roleId: pmRole?.id ?? null,
    estimateHours: pmRaw,
    startsOn,
    endsOn,
    rawHours: pmRaw,
    rate: pmRole?.billRateMinor ?? 0,
    cost: pmRole?.costRateMinor ?? 0,
  })
  if (missingRoles.size > 0) {
    notes.push(`The organisation has no ${[...missingRoles].join(', ')} role; those tasks have no role yet.`)
  }

  const rawValue = tasks.reduce((sum, t) => sum + t.rawHours * t.rate, 0)
  let scale = 1
  if (input.budgetMinor !== null && input.budgetMinor > 0 && rawValue > 0) {
    const share = input.budgetShare ?? 0.9
    const wanted = (input.budgetMinor * share) / rawValue
    scale = Math.min(2, Math.max(0.25, wanted))
    if (wanted < 0.25) {
      notes.push(
        `The budget covers only ${Math.round(wanted * 100)}% of a typical team for ${input.weeks} weeks; I kept the plan at a quarter of it, so it is over budget.`,
      )
    } else if (wanted > 2) {
      notes.push(
        'The budget is more than twice what a typical team needs for this length; I doubled the team and left the rest unplanned.',
      )
    }
  }
  for (const task of tasks) task.estimateHours = roundHalf(task.rawHours * scale)
  const valueMinor = Math.round(tasks.reduce((sum, t) => sum + t.estimateHours * t.rate, 0))
  const costMinor = Math.round(tasks.reduce((sum, t) => sum + t.estimateHours * t.cost, 0))
  return {
    startsOn,
    endsOn,
    phases,
    tasks: tasks.map(({ rawHours: _r, rate: _rate, cost: _c, ...task }) => task),
    dependencies,
    milestones,
    totalHours: tasks.reduce((sum, t) => sum + t.estimateHours, 0),
    valueMinor,
    costMinor,
    scale: Math.round(scale * 1000) / 1000,
    notes,
  }
}
