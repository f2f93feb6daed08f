import { addDays, isoWeekday, nextWorkingDay } from '@psa/calendar'

/**
 * Project plan templates: phases sized to the requested length, tasks with roles and hour estimates,
 * finish-to-start dependencies and a milestone at the end of each phase. Deliberately simple: the
 * resource-levelled scheduler comes later; this gives a sensible, consistent first plan (every dependency
 * is satisfied by the dates, and the hours fit the budget when one is given).
 */

export type TemplateName = 'website' | 'software' | 'data'

interface TaskTemplate {
  key: string
  name: string
  /** Preferred role names, best first; the organisation's first match is used. */
  roles: readonly string[]
  /** Full-time equivalents working on the task while it runs. */
  fte: number
  /** Share of the phase the task runs in, [start, end) as fractions of the phase's working days. */
  span?: readonly [number, number]
  /** Tasks of the same phase that must finish first. */
  after?: readonly string[]
}

interface PhaseTemplate {
  key: string
  name: string
  weight: number
  milestone: string
  tasks: readonly TaskTemplate[]
}

const PM: TaskTemplate = {
  key: 'pm',
  name: 'Project management and reporting',
  roles: ['Project Manager'],
  fte: 0.25,
}

const WEBSITE: readonly PhaseTemplate[] = [
  {
    key: 'discovery',
    name: 'Discovery',
    weight: 0.15,
    milestone: 'Discovery complete',
    tasks: [
      {
        key: 'interviews',
        name: 'Stakeholder interviews and analytics review',
        roles: ['UX Researcher', 'Business Analyst'],
        fte: 0.6,
        span: [0, 0.5],
      },
      {
        key: 'requirements',
        name: 'Requirements and content inventory',
        roles: ['Business Analyst', 'Project Manager'],
        fte: 0.6,
        span: [0.5, 1],
        after: ['interviews'],
      },
      {
        key: 'architecture',
        name: 'Technical discovery and architecture',
        roles: ['Solution Architect', 'Lead Developer'],
        fte: 0.5,
      },
    ],
  },
  {
    key: 'design',
    name: 'Design',
    weight: 0.2,
    milestone: 'Design sign-off',
    tasks: [
      {
        key: 'ia',
        name: 'Information architecture and wireframes',
        roles: ['UX Researcher', 'Designer'],
        fte: 0.8,
        span: [0, 0.5],
      },
      {
        key: 'visual',
        name: 'Visual design and design system',
        roles: ['Designer'],
        fte: 1,
        span: [0.4, 1],
        after: [],
      },
      {
        key: 'prototype',
        name: 'Prototype and usability test',
        roles: ['UX Researcher', 'Designer'],
        fte: 0.5,
        span: [0.5, 1],
        after: ['ia'],
      },
    ],
  },
  {
    key: 'build',
    name: 'Build',
    weight: 0.4,
    milestone: 'Build complete',
    tasks: [
      { key: 'frontend', name: 'Front-end build', roles: ['Senior Developer', 'Lead Developer'], fte: 1 },
      {
        key: 'backend',
        name: 'CMS, back end and integrations',
        roles: ['Senior Developer', 'Lead Developer'],
        fte: 1,
      },
      {
        key: 'content',
        name: 'Content migration',
        roles: ['Junior Developer', 'Business Analyst'],
        fte: 0.5,
        span: [0.3, 1],
      },
      { key: 'platform', name: 'Environments, CI/CD and hosting', roles: ['DevOps Engineer'], fte: 0.3 },
    ],
  },
  {
    key: 'test',
    name: 'Test',
    weight: 0.15,
    milestone: 'UAT sign-off',
    tasks: [
      {
        key: 'qa',
        name: 'QA, accessibility and performance testing',
        roles: ['QA Engineer'],
        fte: 1,
        span: [0, 0.6],
      },
      {
        key: 'uat',
        name: 'User acceptance testing and fixes',
        roles: ['Senior Developer', 'QA Engineer'],
        fte: 0.8,
        span: [0.6, 1],
        after: ['qa'],
      },
    ],
  },
  {
    key: 'launch',
    name: 'Launch',
    weight: 0.1,
    milestone: 'Go-live',
    tasks: [
      {
        key: 'golive',
        name: 'Go-live and hypercare',
        roles: ['DevOps Engineer', 'Senior Developer'],
        fte: 0.6,
      },
      {
        key: 'handover',
        name: 'Training and handover',
        roles: ['Project Manager', 'Business Analyst'],
        fte: 0.4,
      },
    ],
  },
]

const SOFTWARE: readonly PhaseTemplate[] = [
  {
    key: 'discovery',
    name: 'Discovery',
    weight: 0.15,
    milestone: 'Discovery complete',
    tasks: [
      {
        key: 'requirements',
        name: 'Requirements and backlog',
        roles: ['Business Analyst', 'Project Manager'],
        fte: 0.8,
      },
      {
        key: 'architecture',
        name: 'Solution architecture',
        roles: ['Solution Architect', 'Lead Developer'],
        fte: 0.6,
      },
      { key: 'ux', name: 'User research and journeys', roles: ['UX Researcher', 'Designer'], fte: 0.5 },
    ],
  },
  {
    key: 'design',
    name: 'Design',
    weight: 0.15,
    milestone: 'Design sign-off',
    tasks: [
      { key: 'ui', name: 'UI design', roles: ['Designer'], fte: 1 },
      {
        key: 'technical',
        name: 'Technical design and spikes',
        roles: ['Lead Developer', 'Senior Developer'],
        fte: 0.8,
      },
    ],
  },
  {
    key: 'build',
    name: 'Build',
    weight: 0.45,
    milestone: 'Feature complete',
    tasks: [
      { key: 'core', name: 'Core features', roles: ['Senior Developer', 'Lead Developer'], fte: 2 },
      {
        key: 'integrations',
        name: 'Integrations and APIs',
        roles: ['Senior Developer', 'Lead Developer'],
        fte: 1,
      },
      { key: 'platform', name: 'Infrastructure and CI/CD', roles: ['DevOps Engineer'], fte: 0.4 },
      { key: 'testing', name: 'Test automation', roles: ['QA Engineer'], fte: 0.6, span: [0.25, 1] },
    ],
  },
  {
    key: 'test',
    name: 'Test',
    weight: 0.15,
    milestone: 'UAT sign-off',
    tasks: [
      {
        key: 'system',
        name: 'System and regression testing',
        roles: ['QA Engineer'],
        fte: 1,
        span: [0, 0.6],
      },
      {
        key: 'uat',
        name: 'User acceptance testing and fixes',
        roles: ['Senior Developer', 'QA Engineer'],
        fte: 1,
        span: [0.6, 1],
        after: ['system'],
      },
    ],
  },
  {
    key: 'launch',
    name: 'Launch',
    weight: 0.1,
    milestone: 'Go-live',
    tasks: [
      {
        key: 'release',
        name: 'Release and hypercare',
        roles: ['DevOps Engineer', 'Senior Developer'],
        fte: 0.6,
      },
      {
        key: 'handover',
        name: 'Training and handover',
        roles: ['Project Manager', 'Business Analyst'],
        fte: 0.4,
      },
    ],
  },
]

const DATA: readonly PhaseTemplate[] = [
  {
    key: 'discovery',
    name: 'Discovery',
    weight: 0.15,
    milestone: 'Discovery complete',
    tasks: [
      {
        key: 'sources',
        name: 'Source system analysis',
        roles: ['Data Engineer', 'Business Analyst'],
        fte: 0.8,
      },
      { key: 'requirements', name: 'Reporting requirements', roles: ['Business Analyst'], fte: 0.6 },
    ],
  },
  {
    key: 'design',
    name: 'Data model and architecture',
    weight: 0.15,
    milestone: 'Architecture sign-off',
    tasks: [
      { key: 'model', name: 'Data model design', roles: ['Data Engineer', 'Solution Architect'], fte: 1 },
      {
        key: 'platform',
        name: 'Platform architecture',
        roles: ['Solution Architect', 'DevOps Engineer'],
        fte: 0.5,
      },
    ],
  },
  {
    key: 'build',
    name: 'Pipelines and build',
    weight: 0.45,
    milestone: 'Pipelines complete',
    tasks: [
      { key: 'pipelines', name: 'Ingestion pipelines', roles: ['Data Engineer'], fte: 1.5 },
      {
        key: 'dashboards',
        name: 'Dashboards and reports',
        roles: ['Senior Developer', 'Data Engineer'],
        fte: 0.8,
        span: [0.3, 1],
      },
      { key: 'infrastructure', name: 'Infrastructure and monitoring', roles: ['DevOps Engineer'], fte: 0.4 },
    ],
  },
  {
    key: 'test',
    name: 'Validation',
    weight: 0.15,
    milestone: 'Data validated',
    tasks: [
      {
        key: 'quality',
        name: 'Data quality checks and reconciliation',
        roles: ['QA Engineer', 'Data Engineer'],
        fte: 1,
      },
    ],
  },
  {
    key: 'launch',
    name: 'Launch',
    weight: 0.1,
    milestone: 'Go-live',
    tasks: [
      {
        key: 'cutover',
        name: 'Cut-over and hypercare',
        roles: ['Data Engineer', 'DevOps Engineer'],
        fte: 0.6,
      },
      {
        key: 'handover',
        name: 'Training and handover',
        roles: ['Business Analyst', 'Project Manager'],
        fte: 0.4,
      },
    ],
  },
]

/** For plans shorter than five weeks: fewer, merged phases. */
const COMPACT: readonly PhaseTemplate[] = [
  {
    key: 'discovery',
    name: 'Discovery and design',
    weight: 0.3,
    milestone: 'Design sign-off',
    tasks: [
      { key: 'requirements', name: 'Requirements', roles: ['Business Analyst', 'Project Manager'], fte: 0.6 },
      { key: 'design', name: 'Design', roles: ['Designer', 'Solution Architect'], fte: 0.8 },
    ],
  },
  {
    key: 'build',
    name: 'Build and test',
    weight: 0.5,
    milestone: 'Build complete',
    tasks: [
      { key: 'build', name: 'Build', roles: ['Senior Developer', 'Lead Developer'], fte: 1.5 },
      { key: 'testing', name: 'Testing', roles: ['QA Engineer'], fte: 0.6, span: [0.4, 1] },
    ],
  },
  {
    key: 'launch',
    name: 'Launch',
    weight: 0.2,
    milestone: 'Go-live',
    tasks: [
      {
        key: 'release',
        name: 'Release and handover',
        roles: ['DevOps Engineer', 'Senior Developer'],
        fte: 0.6,
      },
    ],
  },
]

export const TEMPLATES: Record<TemplateName, readonly PhaseTemplate[]> = {
  website: WEBSITE,
  software: SOFTWARE,
  data: DATA,
}

/** Which template suits a project, from the words in its name or the request. */
export function chooseTemplate(text: string): TemplateName {
  const t = text.toLowerCase()
  if (/\b(web\s?site|site|web|portal|cms|landing|e-?commerce|shop|store\s*front)\b/.test(t)) return 'website'
  if (/\b(data|analytics|warehouse|lake|pipeline|dashboard|reporting|bi|telemetry)\b/.test(t)) return 'data'
  return 'software'
}

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

export interface Plan {
  startsOn: string
  endsOn: string
  phases: PlannedPhase[]
  tasks: PlannedTask[]
  /** Finish-to-start: `to` starts after `from` finishes. */
  dependencies: { from: string; to: string }[]
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
  const dependencies: { from: string; to: string }[] = []
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
    const predecessorsInPhase = new Set(phase.tasks.flatMap((t) => t.after ?? []))
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
      for (const before of task.after ?? []) dependencies.push({ from: `${phase.key}.${before}`, to: key })
      if (!task.after || task.after.length === 0) {
        for (const gate of previousTerminal) dependencies.push({ from: gate, to: key })
      }
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
