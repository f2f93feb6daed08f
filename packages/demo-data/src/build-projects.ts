import {
  addDays,
  countWeekdays,
  daysBetween,
  earliest,
  type IsoDate,
  latest,
  nextWorkingDay,
  previousWorkingDay,
  toDayNumber,
} from '@psa/calendar'
import type { DependencyType, ResourceRequestStatus, TaskStatus } from '@psa/db'
import type { CommercialIndex } from './build-commercial.js'
import type { PeopleIndex } from './build-people.js'
import type { OrganisationCatalogue, ProjectSpec, SlotSpec } from './catalogue.js'
import type { OrgContext } from './context.js'
import type {
  AllocationRow,
  MilestoneRow,
  PersonRow,
  PhaseRow,
  ProjectRow,
  ResourceRequestRow,
  RoleRow,
  TaskDependencyRow,
  TaskRow,
} from './types.js'

export interface StaffedSlot {
  spec: ProjectSpec
  project: ProjectRow
  slot: SlotSpec
  index: number
  role: RoleRow
  /** Planned window, in week offsets from the anchor (both included). */
  fromWeek: number
  toWeek: number
  request: ResourceRequestRow | null
  allocation: AllocationRow | null
  person: PersonRow | null
}

export interface ProjectIndex {
  projects: Map<string, ProjectRow>
  specs: Map<string, ProjectSpec>
  slots: StaffedSlot[]
  phases: Map<string, PhaseRow[]>
  tasks: Map<string, TaskRow[]>
  milestones: Map<string, MilestoneRow[]>
  /** Planned bill value of each project's team at its rate card, by project code. */
  plannedValue: Map<string, number>
}

function totalWeeks(spec: ProjectSpec): number {
  return spec.phases.reduce((sum, phase) => sum + phase.weeks, 0)
}

/** The last week (offset) in which people book and log time on a project. */
function lastWorkingWeek(spec: ProjectSpec): number {
  const end = spec.start + totalWeeks(spec) - 1
  return spec.haltedWeek === undefined ? end : Math.min(end, spec.haltedWeek - 1)
}

export function buildProjects(
  ctx: OrgContext,
  catalogue: OrganisationCatalogue,
  people: PeopleIndex,
  commercial: CommercialIndex,
): ProjectIndex {
  const index: ProjectIndex = {
    projects: new Map(),
    specs: new Map(),
    slots: [],
    phases: new Map(),
    tasks: new Map(),
    milestones: new Map(),
    plannedValue: new Map(),
  }

  for (const spec of catalogue.projects) {
    const client = commercial.clients.get(spec.client)
    const manager = people.people.get(spec.manager)
    if (!client || !manager) throw new Error(`project ${spec.code}: unknown client or manager`)
    if ((spec.status === 'tentative') !== (spec.winProbability !== undefined)) {
      throw new Error(`project ${spec.code}: a win probability is required exactly when tentative`)
    }
    const weeks = totalWeeks(spec)
    const rateCard =
      (spec.clientRateCard && commercial.clientRateCards.get(spec.client)) || commercial.standardRateCard
    const project: ProjectRow = {
      id: ctx.id(`project/${spec.code}`),
      organisation_id: ctx.orgId,
      client_id: client.id,
      name: spec.name,
      code: spec.code,
      description: spec.description,
      status: spec.status,
      win_probability_pct: spec.winProbability ?? null,
      billing_model: spec.billing,
      // Set once time is logged (see setBudgets): budgets follow the plan, a quote, or the planted overrun.
      budget_minor: 0,
      currency: ctx.organisation.currency,
      starts_on: ctx.monday(spec.start),
      ends_on: ctx.friday(spec.start + weeks - 1),
      health: spec.health,
      manager_person_id: manager.id,
      rate_card_id: rateCard.id,
    }
    ctx.tables.projects.push(project)
    index.projects.set(spec.code, project)
    index.specs.set(spec.code, spec)

    const phases: PhaseRow[] = []
    let week = spec.start
    spec.phases.forEach((phase, i) => {
      phases.push({
        id: ctx.id(`phase/${spec.code}/${i}`),
        organisation_id: ctx.orgId,
        project_id: project.id,
        name: phase.name,
        sequence: i + 1,
        starts_on: ctx.monday(week),
        ends_on: ctx.friday(week + phase.weeks - 1),
      })
      week += phase.weeks
    })
    ctx.tables.phases.push(...phases)
    index.phases.set(spec.code, phases)
  }

  staff(ctx, catalogue, people, index)

  for (const spec of catalogue.projects) {
    const project = index.projects.get(spec.code) as ProjectRow
    // The plan's value at the project's rate card, week by week (the rates are dated): what the estimates
    // below add up to, priced.
    let value = 0
    for (const s of index.slots.filter((x) => x.spec === spec)) {
      const perWeek = plannedHoursPerWeek(s)
      for (let w = s.fromWeek; w <= s.toWeek; w++)
        value += perWeek * commercial.billRate(project.rate_card_id, s.role.id, ctx.monday(w))
    }
    index.plannedValue.set(spec.code, value)
    buildTasks(ctx, catalogue, index, spec)
    buildMilestones(ctx, index, spec)
  }
  return index
}

/**
 * A slot's planned weekly hours: what is booked where someone is, what is requested where nobody is yet;
 * a slot that should have started but found nobody was planned out (its work is not in the estimate).
 */
function plannedHoursPerWeek(s: StaffedSlot): number {
  if (s.allocation) return s.allocation.hours_per_week
  const bookable = s.spec.status !== 'tentative' && s.fromWeek <= lastWorkingWeek(s.spec)
  return bookable && s.fromWeek < 0 ? 0 : s.slot.hours
}

function staff(
  ctx: OrgContext,
  catalogue: OrganisationCatalogue,
  people: PeopleIndex,
  index: ProjectIndex,
): void {
  const load = new Map<string, Map<number, number>>()
  const loadOf = (personId: string, week: number) => load.get(personId)?.get(week) ?? 0
  const book = (personId: string, from: number, to: number, hours: number) => {
    const weeks = load.get(personId) ?? new Map<number, number>()
    for (let w = from; w <= to; w++) weeks.set(w, (weeks.get(w) ?? 0) + hours)
    load.set(personId, weeks)
  }

  const slots: StaffedSlot[] = []
  for (const spec of catalogue.projects) {
    const project = index.projects.get(spec.code) as ProjectRow
    const end = spec.start + totalWeeks(spec) - 1
    spec.team.forEach((slot, i) => {
      const role = people.roles.get(slot.role)
      if (!role) throw new Error(`project ${spec.code}: unknown role ${slot.role}`)
      const fromWeek = spec.start + (slot.from ?? 0)
      const toWeek = slot.weeks === undefined ? end : fromWeek + slot.weeks - 1
      if (toWeek > end || fromWeek > toWeek)
        throw new Error(`project ${spec.code}: slot ${i} outside the project`)
      slots.push({
        spec,
        project,
        slot,
        index: i,
        role,
        fromWeek,
        toWeek,
        request: null,
        allocation: null,
        person: null,
      })
    })
  }
  index.slots = slots

  const eligible = (s: StaffedSlot, person: PersonRow, hours: number, checkCapacity: boolean): boolean => {
    const to = Math.min(s.toWeek, lastWorkingWeek(s.spec))
    const from = ctx.monday(s.fromWeek)
    const until = ctx.friday(to)
    if (person.role_id !== s.role.id) return false
    if (person.employment_start > from || (person.employment_end !== null && person.employment_end < until))
      return false
    if (people.longLeave.get(person.id)?.some(([a, b]) => a <= until && from <= b)) return false
    if (s.slot.skill) {
      const level = people.proficiency.get(person.id)?.get(s.slot.skill) ?? 0
      if (level < (s.slot.minProficiency ?? 1)) return false
    }
    // Nobody fills two slots of one project at the same time.
    const twice = slots.some(
      (o) =>
        o !== s &&
        o.spec === s.spec &&
        o.person?.id === person.id &&
        o.fromWeek <= s.toWeek &&
        s.fromWeek <= o.toWeek,
    )
    if (twice) return false
    if (!checkCapacity) return true
    for (let w = s.fromWeek; w <= to; w++) {
      if (loadOf(person.id, w) + hours > person.weekly_capacity_hours) return false
    }
    return true
  }

  const assign = (s: StaffedSlot, person: PersonRow, hours: number) => {
    const to = Math.min(s.toWeek, lastWorkingWeek(s.spec))
    book(person.id, s.fromWeek, to, hours)
    s.person = person
    s.allocation = {
      id: ctx.id(`allocation/${s.spec.code}/${s.index}`),
      organisation_id: ctx.orgId,
      project_id: s.project.id,
      person_id: person.id,
      task_id: null,
      resource_request_id: null,
      kind: s.spec.status === 'tentative' ? 'soft' : 'hard',
      starts_on: ctx.monday(s.fromWeek),
      ends_on: ctx.friday(to),
      hours_per_week: hours,
    }
  }

  const bookable = (s: StaffedSlot) =>
    (s.spec.status !== 'tentative' || s.slot.soft === true) && s.fromWeek <= lastWorkingWeek(s.spec)

  // Named people first (they are the story), then everybody else by start date, then the planted double
  // bookings on top.
  for (const s of slots) {
    if (!s.slot.person || s.slot.overbook || !bookable(s)) continue
    const person = people.people.get(s.slot.person)
    if (!person || !eligible(s, person, s.slot.hours, true)) {
      throw new Error(`project ${s.spec.code}: ${s.slot.person} cannot take slot ${s.index}`)
    }
    assign(s, person, s.slot.hours)
  }
  const automatic = slots
    .filter((s) => !s.slot.person && bookable(s))
    .sort(
      (a, b) => a.fromWeek - b.fromWeek || a.project.code.localeCompare(b.project.code) || a.index - b.index,
    )
  for (const s of automatic) {
    const random = ctx.random(`staffing/${s.spec.code}/${s.index}`)
    const pool = random.shuffle([...people.people.values()])
    const to = Math.min(s.toWeek, lastWorkingWeek(s.spec))
    const busy = (p: PersonRow) => {
      let sum = 0
      for (let w = s.fromWeek; w <= to; w++) sum += loadOf(p.id, w) / p.weekly_capacity_hours
      return sum
    }
    const pickFor = (hours: number) =>
      pool.filter((p) => eligible(s, p, hours, true)).sort((a, b) => busy(a) - busy(b))[0]
    const full = pickFor(s.slot.hours)
    if (full) {
      assign(s, full, s.slot.hours)
      continue
    }
    // Nobody has the whole slot free: book half of it where somebody can (a partially filled request).
    const half = Math.floor(s.slot.hours / 2 / 4) * 4
    const partial = s.spec.status === 'tentative' || half < 8 ? undefined : pickFor(half)
    if (partial) assign(s, partial, half)
  }
  for (const s of slots) {
    if (!s.slot.overbook) continue
    const person = people.people.get(s.slot.person ?? '')
    if (!person || !eligible(s, person, s.slot.hours, false)) {
      throw new Error(`project ${s.spec.code}: ${s.slot.person} cannot be double-booked on slot ${s.index}`)
    }
    assign(s, person, s.slot.hours)
  }

  for (const s of slots) {
    // Direct bookings of a named person without a skill need are not requests; everything else is.
    if (!(s.slot.person && !s.slot.skill)) {
      const skill = s.slot.skill ? people.skills.get(s.slot.skill) : undefined
      if (s.slot.skill && !skill) throw new Error(`project ${s.spec.code}: unknown skill ${s.slot.skill}`)
      let status: ResourceRequestStatus
      if (s.allocation) status = s.allocation.hours_per_week < s.slot.hours ? 'partially_filled' : 'filled'
      else if (s.spec.status === 'cancelled' || s.spec.status === 'completed') status = 'cancelled'
      else status = 'open'
      s.request = {
        id: ctx.id(`resource-request/${s.spec.code}/${s.index}`),
        organisation_id: ctx.orgId,
        project_id: s.project.id,
        role_id: s.role.id,
        skill_id: skill?.id ?? null,
        min_proficiency: skill ? (s.slot.minProficiency ?? 1) : null,
        hours_per_week: s.slot.hours,
        starts_on: ctx.monday(s.fromWeek),
        ends_on: ctx.friday(s.toWeek),
        status,
        notes: s.slot.note ?? null,
      }
      ctx.tables.resource_requests.push(s.request)
      if (s.allocation) s.allocation.resource_request_id = s.request.id
    }
    if (s.allocation) ctx.tables.allocations.push(s.allocation)
  }
}

function percentDone(start: IsoDate, end: IsoDate, asOf: IsoDate): number {
  const total = countWeekdays(start, end)
  const done = countWeekdays(start, addDays(asOf, -1))
  return Math.min(95, Math.max(5, Math.round(((100 * done) / total) * 0.2) * 5))
}

function buildTasks(
  ctx: OrgContext,
  catalogue: OrganisationCatalogue,
  index: ProjectIndex,
  spec: ProjectSpec,
): void {
  const project = index.projects.get(spec.code) as ProjectRow
  const phases = index.phases.get(spec.code) as PhaseRow[]
  const team = index.slots.filter((s) => s.spec === spec)
  const teamRoles = new Set(team.map((s) => s.slot.role))
  const random = ctx.random(`tasks/${spec.code}`)
  const asOf =
    spec.status === 'completed'
      ? addDays(project.ends_on, 1)
      : spec.haltedWeek !== undefined
        ? ctx.monday(spec.haltedWeek)
        : ctx.anchor
  const latePhase = spec.lateMilestone ? spec.phases.findIndex((p) => p.milestone === spec.lateMilestone) : -1
  if (spec.lateMilestone && (latePhase < 0 || (phases[latePhase] as PhaseRow).ends_on >= ctx.anchor)) {
    throw new Error(
      `project ${spec.code}: the late milestone must close a phase that ended before the anchor`,
    )
  }

  const tasks: TaskRow[] = []
  const loads = new Map<TaskRow, { roleKey: string; load: number }>()
  spec.phases.forEach((phaseSpec, p) => {
    const phase = phases[p] as PhaseRow
    const templates = catalogue.phaseTasks[phaseSpec.kind]
    if (!templates) throw new Error(`no task templates for phase kind ${phaseSpec.kind}`)
    const days = phaseSpec.weeks * 7
    templates.forEach((template, t) => {
      const roleKey = teamRoles.has(template.role)
        ? template.role
        : (catalogue.roleFallbacks[template.role] ?? []).find((r) => teamRoles.has(r))
      if (!roleKey) return
      const role = team.find((s) => s.slot.role === roleKey)?.role as RoleRow
      const start = earliest([
        nextWorkingDay(addDays(phase.starts_on, Math.round(template.from * days))),
        phase.ends_on,
      ])
      const end = latest([
        start,
        earliest([
          previousWorkingDay(addDays(phase.starts_on, Math.round(template.to * days) - 1)),
          phase.ends_on,
        ]),
      ])

      let status: TaskStatus
      let percent: number
      if (end < asOf) [status, percent] = ['done', 100]
      else if (start >= asOf) [status, percent] = ['not_started', 0]
      else [status, percent] = ['in_progress', percentDone(start, end, asOf)]
      if (p === latePhase && end >= addDays(phase.ends_on, -6)) {
        // The planted late milestone: its phase's last tasks ran over and are not finished.
        ;[status, percent] = ['in_progress', 85]
      }
      if (status === 'in_progress' && spec.health === 'red')
        percent = Math.max(5, Math.round(percent * 0.15) * 5)
      if (status === 'in_progress' && spec.status === 'on_hold') status = 'blocked'
      if (template.name === spec.blockedTask) {
        if (status !== 'in_progress')
          throw new Error(`project ${spec.code}: blocked task ${template.name} is not running`)
        status = 'blocked'
      }

      let assignee: string | null = null
      if (spec.status !== 'tentative') {
        let best = 0
        for (const s of team) {
          if (s.slot.role !== roleKey || !s.person) continue
          const overlap = daysBetween(
            latest([start, ctx.monday(s.fromWeek)]),
            earliest([end, ctx.friday(s.toWeek)]),
          )
          if (overlap >= 0 && overlap + 1 > best) [best, assignee] = [overlap + 1, s.person.id]
        }
      }
      const task: TaskRow = {
        id: ctx.id(`task/${spec.code}/${p}/${t}`),
        organisation_id: ctx.orgId,
        project_id: project.id,
        phase_id: phase.id,
        name: template.name,
        role_id: role.id,
        // Set from the staffing plan below.
        estimate_hours: 0,
        starts_on: start,
        ends_on: end,
        status,
        percent_complete: percent,
        assignee_person_id: assignee,
      }
      tasks.push(task)
      loads.set(task, { roleKey, load: template.load })
    })
  })
  estimateFromPlan(ctx, team, tasks, loads)
  tasks.sort((a, b) =>
    a.starts_on < b.starts_on
      ? -1
      : a.starts_on > b.starts_on
        ? 1
        : a.ends_on < b.ends_on
          ? -1
          : a.ends_on > b.ends_on
            ? 1
            : 0,
  )
  ctx.tables.tasks.push(...tasks)
  index.tasks.set(spec.code, tasks)

  // Dependencies only point from earlier to later tasks in start order, so the graph is acyclic, and every
  // one is satisfied by the plan's dates: FS means successor start >= predecessor end + 1 + lag, SS means
  // successor start >= predecessor start + lag, FF means successor end >= predecessor end + lag.
  const links = new Set<string>()
  const link = (pred: number, succ: number, type: DependencyType, lag: number) => {
    const key = `${pred}-${succ}`
    if (links.has(key)) return
    links.add(key)
    ctx.tables.task_dependencies.push({
      id: ctx.id(`task-dependency/${spec.code}/${key}`),
      organisation_id: ctx.orgId,
      project_id: project.id,
      predecessor_task_id: (tasks[pred] as TaskRow).id,
      successor_task_id: (tasks[succ] as TaskRow).id,
      dependency_type: type,
      lag_days: lag,
    } satisfies TaskDependencyRow)
  }
  for (let j = 1; j < tasks.length; j++) {
    const task = tasks[j] as TaskRow
    let finished = -1
    for (let i = 0; i < j; i++) {
      const before = tasks[i] as TaskRow
      if (
        before.ends_on < task.starts_on &&
        (finished < 0 || before.ends_on >= (tasks[finished] as TaskRow).ends_on)
      )
        finished = i
    }
    if (finished >= 0) {
      const gap = daysBetween((tasks[finished] as TaskRow).ends_on, task.starts_on) - 1
      link(finished, j, 'finish_to_start', Math.min(gap, random.pick([0, 0, 0, 1, 2])))
    } else {
      const first = tasks.findIndex((t, i) => i < j && t.starts_on <= task.starts_on)
      if (first >= 0 && first < j) {
        const gap = daysBetween((tasks[first] as TaskRow).starts_on, task.starts_on)
        link(first, j, 'start_to_start', Math.min(gap, random.pick([0, 2, 3, 5])))
      }
    }
    // Now and then a task must also finish with one it overlaps (tests finish with the feature work).
    const overlapping = tasks.findIndex(
      (t, i) =>
        i < j &&
        t.starts_on <= task.ends_on &&
        task.starts_on <= t.ends_on &&
        t.ends_on <= task.ends_on &&
        t.phase_id === task.phase_id,
    )
    if (overlapping >= 0 && random.chance(0.2)) {
      const gap = daysBetween((tasks[overlapping] as TaskRow).ends_on, task.ends_on)
      link(overlapping, j, 'finish_to_finish', Math.min(gap, random.pick([0, 1, 2])))
    }
  }
}

/**
 * Task estimates from the staffing plan, so that a project's estimate is the hours its team is planned to
 * work: every planned week of a slot (the booked hours where someone is booked, the requested hours where
 * nobody is) goes to the tasks of its role running that week, in proportion to their load; a week when none
 * of its role's tasks runs goes to the nearest task of its role, and a role without tasks (oversight) to the
 * tasks running that week.
 */
function estimateFromPlan(
  ctx: OrgContext,
  team: StaffedSlot[],
  tasks: TaskRow[],
  loads: Map<TaskRow, { roleKey: string; load: number }>,
): void {
  if (tasks.length === 0) return
  const hours = new Map<TaskRow, number>(tasks.map((t) => [t, 0]))
  const spread = (candidates: TaskRow[], weights: number[], amount: number) => {
    const total = weights.reduce((a, b) => a + b, 0)
    candidates.forEach((t, i) => {
      hours.set(t, (hours.get(t) ?? 0) + (amount * (weights[i] as number)) / total)
    })
  }
  const nearest = (candidates: TaskRow[], monday: IsoDate) =>
    candidates.reduce((best, t) => {
      const distance = (x: TaskRow) =>
        Math.min(Math.abs(daysBetween(x.starts_on, monday)), Math.abs(daysBetween(x.ends_on, monday)))
      return distance(t) < distance(best) ? t : best
    })
  // Tasks start and end on working days, so the days they share with a Monday-to-Friday week are all
  // working days: day numbers are enough.
  const span = new Map(tasks.map((t) => [t, [toDayNumber(t.starts_on), toDayNumber(t.ends_on)] as const]))
  for (const s of team) {
    const perWeek = plannedHoursPerWeek(s)
    const mine = tasks.filter((t) => loads.get(t)?.roleKey === s.slot.role)
    for (let w = s.fromWeek; w <= s.toWeek; w++) {
      const monday = ctx.monday(w)
      const first = toDayNumber(monday)
      const weight = (t: TaskRow) => {
        const [start, end] = span.get(t) as readonly [number, number]
        const shared = Math.min(end, first + 4) - Math.max(start, first) + 1
        return shared > 0 ? shared * (loads.get(t)?.load ?? 1) : 0
      }
      const running = mine.filter((t) => weight(t) > 0)
      const any = running.length > 0 ? running : tasks.filter((t) => weight(t) > 0)
      if (any.length > 0) spread(any, any.map(weight), perWeek)
      else spread([nearest(mine.length > 0 ? mine : tasks, monday)], [1], perWeek)
    }
  }
  for (const t of tasks) t.estimate_hours = Math.max(1, Math.round(hours.get(t) ?? 0))
}

function buildMilestones(ctx: OrgContext, index: ProjectIndex, spec: ProjectSpec): void {
  const project = index.projects.get(spec.code) as ProjectRow
  const phases = index.phases.get(spec.code) as PhaseRow[]
  const random = ctx.random(`milestones/${spec.code}`)
  const milestones: MilestoneRow[] = []
  spec.phases.forEach((phaseSpec, p) => {
    if (!phaseSpec.milestone) return
    const due = (phases[p] as PhaseRow).ends_on
    // A cancelled project keeps only the milestones it reached.
    if (spec.status === 'cancelled' && spec.haltedWeek !== undefined && due >= ctx.monday(spec.haltedWeek))
      return
    let completed: IsoDate | null = null
    const reached =
      spec.status === 'completed' || (due < ctx.anchor && phaseSpec.milestone !== spec.lateMilestone)
    if (reached) {
      const slip = random.pick([-1, 0, 0, 0, 1, 2, 3])
      completed = earliest([
        previousWorkingDay(addDays(due, slip)),
        previousWorkingDay(addDays(ctx.anchor, -1)),
      ])
    }
    milestones.push({
      id: ctx.id(`milestone/${spec.code}/${p}`),
      organisation_id: ctx.orgId,
      project_id: project.id,
      name: phaseSpec.milestone,
      due_on: due,
      completed_on: completed,
    })
  })
  ctx.tables.milestones.push(...milestones)
  index.milestones.set(spec.code, milestones)
}
