import {
  addDays,
  eachDay,
  earliest,
  type IsoDate,
  isWeekend,
  latest,
  nextWorkingDay,
  previousWorkingDay,
  yearOf,
} from '@psa/calendar'
import type { TimeOffKind } from '@psa/db'
import type { OrganisationCatalogue, PersonSpec, RoleSpec } from './catalogue.js'
import { DEMO_USERS } from './constants.js'
import type { OrgContext } from './context.js'
import { publicHolidays } from './holidays.js'
import type { LocationRow, PersonRow, RoleRow, SkillRow, TimeOffRow } from './types.js'

export interface PeopleIndex {
  locations: Map<string, LocationRow>
  /** Holiday dates by location id. */
  holidays: Map<string, Set<IsoDate>>
  roles: Map<string, RoleRow>
  roleSpecs: Map<string, RoleSpec>
  skills: Map<string, SkillRow>
  people: Map<string, PersonRow>
  personSpecs: Map<string, PersonSpec>
  /** Proficiency by person id, then skill name. */
  proficiency: Map<string, Map<string, number>>
  /** Days off (time off of any kind) by person id. */
  daysOff: Map<string, Set<IsoDate>>
  /** Periods of long leave (parental), during which nobody books the person. */
  longLeave: Map<string, Array<[IsoDate, IsoDate]>>
}

function roundTo(value: number, step: number): number {
  return Math.round(value / step) * step
}

/** Rates scale 8% per level around the role's typical level. */
export function levelFactor(level: number, role: RoleSpec): number {
  return 1 + 0.08 * (level - role.typicalLevel)
}

function emailOf(ctx: OrgContext, spec: PersonSpec): string {
  if (spec.user) return spec.user
  const local = spec.name
    // Letters that do not decompose into a base letter and a mark.
    .replace(/ı/g, 'i')
    .replace(/ø/g, 'o')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z ]/g, '')
    .trim()
    .replace(/ +/g, '.')
  return `${local}@${ctx.organisation.slug}.example`
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value))
}

export function buildPeople(ctx: OrgContext, catalogue: OrganisationCatalogue): PeopleIndex {
  const { tables } = ctx
  const index: PeopleIndex = {
    locations: new Map(),
    holidays: new Map(),
    roles: new Map(),
    roleSpecs: new Map(),
    skills: new Map(),
    people: new Map(),
    personSpecs: new Map(),
    proficiency: new Map(),
    daysOff: new Map(),
    longLeave: new Map(),
  }

  // Work reaches back at most a year before the anchor and plans reach at most a year ahead.
  const year = yearOf(ctx.anchor)
  const years = [year - 1, year, year + 1]
  for (const spec of catalogue.locations) {
    const location: LocationRow = {
      id: ctx.id(`location/${spec.key}`),
      organisation_id: ctx.orgId,
      name: spec.name,
      country_code: spec.countryCode,
      timezone: spec.timezone,
    }
    tables.locations.push(location)
    index.locations.set(spec.key, location)
    const dates = new Set<IsoDate>()
    for (const holiday of publicHolidays(spec.countryCode, spec.region, years)) {
      tables.holidays.push({
        id: ctx.id(`holiday/${spec.key}/${holiday.date}`),
        organisation_id: ctx.orgId,
        location_id: location.id,
        holiday_date: holiday.date,
        name: holiday.name,
      })
      dates.add(holiday.date)
    }
    index.holidays.set(location.id, dates)
  }

  for (const spec of catalogue.roles) {
    const role: RoleRow = {
      id: ctx.id(`role/${spec.key}`),
      organisation_id: ctx.orgId,
      name: spec.name,
      cost_rate_minor: spec.costRate,
      bill_rate_minor: spec.billRate,
      utilisation_target_pct: spec.utilisationTarget,
    }
    tables.roles.push(role)
    index.roles.set(spec.key, role)
    index.roleSpecs.set(spec.key, spec)
  }

  for (const spec of catalogue.skills) {
    const skill: SkillRow = {
      id: ctx.id(`skill/${spec.name}`),
      organisation_id: ctx.orgId,
      name: spec.name,
      category: spec.category,
    }
    tables.skills.push(skill)
    index.skills.set(spec.name, skill)
  }

  addPeople(ctx, catalogue, index)
  return index
}

/**
 * A practice of the firm (see build-practices.ts): the organisation's locations, roles and skills, its own
 * people.
 */
export function practicePeople(
  ctx: OrgContext,
  catalogue: OrganisationCatalogue,
  firm: PeopleIndex,
): PeopleIndex {
  const index: PeopleIndex = {
    ...firm,
    people: new Map(),
    personSpecs: new Map(),
    proficiency: new Map(),
    daysOff: new Map(),
    longLeave: new Map(),
  }
  addPeople(ctx, catalogue, index)
  return index
}

function addPeople(ctx: OrgContext, catalogue: OrganisationCatalogue, index: PeopleIndex): void {
  const { tables } = ctx
  for (const spec of catalogue.people) {
    const role = index.roles.get(spec.role)
    const roleSpec = index.roleSpecs.get(spec.role)
    const location = index.locations.get(spec.location)
    if (!role || !roleSpec || !location) throw new Error(`person ${spec.name}: unknown role or location`)
    const factor = levelFactor(spec.level, roleSpec)
    const user = spec.user ? DEMO_USERS.find((u) => u.email === spec.user) : undefined
    if (spec.user && !user) throw new Error(`person ${spec.name}: unknown demo user ${spec.user}`)
    const employmentEnd =
      spec.leftDaysAgo === undefined ? null : previousWorkingDay(ctx.day(-spec.leftDaysAgo))
    const person: PersonRow = {
      id: ctx.id(`person/${spec.name}`),
      organisation_id: ctx.orgId,
      user_id: user?.id ?? null,
      full_name: spec.name,
      email: emailOf(ctx, spec),
      role_id: role.id,
      level: spec.level,
      location_id: location.id,
      cost_rate_minor: roundTo(roleSpec.costRate * factor, 100),
      bill_rate_minor: roundTo(roleSpec.billRate * factor, 500),
      weekly_capacity_hours: spec.capacity,
      utilisation_target_pct: roleSpec.utilisationTarget,
      employment_start: nextWorkingDay(ctx.day(-Math.round(spec.tenureYears * 365.25))),
      employment_end: employmentEnd,
      active: employmentEnd === null,
    }
    tables.people.push(person)
    index.people.set(spec.name, person)
    index.personSpecs.set(spec.name, spec)
    index.daysOff.set(person.id, new Set())
    index.longLeave.set(person.id, [])
    index.proficiency.set(person.id, buildSkills(ctx, catalogue, index, spec, roleSpec, person))
  }

  buildTimeOff(ctx, catalogue, index)
}

function buildSkills(
  ctx: OrgContext,
  catalogue: OrganisationCatalogue,
  index: PeopleIndex,
  spec: PersonSpec,
  roleSpec: RoleSpec,
  person: PersonRow,
): Map<string, number> {
  const random = ctx.random(`skills/${spec.name}`)
  const profile = catalogue.skillProfiles[spec.role]
  if (!profile) throw new Error(`no skill profile for role ${spec.role}`)
  const levels = new Map<string, number>()
  const seniority = (spec.level - roleSpec.typicalLevel) / 2
  const rate = (base: number) => clamp(Math.round(base + seniority + random.pick([-1, 0, 0, 0, 1])), 1, 5)
  for (const [skill, base] of Object.entries(profile.core)) levels.set(skill, rate(base))
  for (const [skill, base] of Object.entries(profile.sometimes))
    if (random.chance(0.5)) levels.set(skill, rate(base))
  // A skill or two picked up outside the role, at a beginner's level.
  const others = catalogue.skills.map((s) => s.name).filter((name) => !levels.has(name))
  for (const skill of random.shuffle(others).slice(0, random.int(0, 2))) levels.set(skill, random.int(1, 2))
  for (const [skill, cap] of Object.entries(catalogue.skillCaps)) {
    const level = levels.get(skill)
    if (level !== undefined && level > cap) levels.set(skill, cap)
  }
  for (const [skill, level] of Object.entries(spec.skills ?? {})) levels.set(skill, level)

  const ordered = catalogue.skills.map((s) => s.name).filter((name) => levels.has(name))
  for (const name of ordered) {
    const skill = index.skills.get(name)
    if (!skill) throw new Error(`unknown skill ${name}`)
    ctx.tables.person_skills.push({
      id: ctx.id(`person-skill/${spec.name}/${name}`),
      organisation_id: ctx.orgId,
      person_id: person.id,
      skill_id: skill.id,
      proficiency: levels.get(name) as number,
    })
  }
  return levels
}

function buildTimeOff(ctx: OrgContext, catalogue: OrganisationCatalogue, index: PeopleIndex): void {
  const blocks = new Map<string, TimeOffRow[]>()
  const add = (
    spec: PersonSpec,
    kind: TimeOffKind,
    from: IsoDate,
    to: IsoDate,
    hoursPerDay: number,
  ): boolean => {
    const person = index.people.get(spec.name) as PersonRow
    const start = latest([nextWorkingDay(from), person.employment_start])
    const end = person.employment_end
      ? earliest([previousWorkingDay(to), person.employment_end])
      : previousWorkingDay(to)
    if (end < start) return false
    const mine = blocks.get(person.id) ?? []
    // Blocks of one person never overlap, with a working day between them.
    if (mine.some((b) => start <= addDays(b.ends_on, 1) && b.starts_on <= addDays(end, 1))) return false
    const row: TimeOffRow = {
      id: ctx.id(`time-off/${spec.name}/${start}`),
      organisation_id: ctx.orgId,
      person_id: person.id,
      starts_on: start,
      ends_on: end,
      kind,
      hours_per_day: hoursPerDay,
    }
    mine.push(row)
    blocks.set(person.id, mine)
    return true
  }

  for (const off of catalogue.timeOff) {
    const spec = index.personSpecs.get(off.person)
    if (!spec) throw new Error(`time off for unknown person ${off.person}`)
    if (!add(spec, off.kind, ctx.day(off.fromDay), ctx.day(off.toDay), off.hoursPerDay ?? 8)) {
      throw new Error(`time off for ${off.person} overlaps or is outside employment`)
    }
  }

  if (catalogue.randomTimeOff) {
    for (const spec of catalogue.people) {
      if (catalogue.noRandomTimeOff.includes(spec.name)) continue
      const random = ctx.random(`time-off/${spec.name}`)
      // Two vacations in the past year, maybe one coming up; the odd sick day; a training course.
      for (let i = 0; i < 2; i++) {
        const week = random.int(-44, -2)
        const weeks = random.pick([1, 1, 2])
        add(spec, 'vacation', ctx.monday(week), ctx.friday(week + weeks - 1), 8)
      }
      if (random.chance(0.35)) {
        const week = random.int(2, 16)
        add(spec, 'vacation', ctx.monday(week), ctx.friday(week), 8)
      }
      if (random.chance(0.4)) {
        const day = random.int(-300, -3)
        add(spec, 'sick', ctx.day(day), ctx.day(day + random.int(0, 1)), 8)
      }
      if (random.chance(0.2)) {
        const day = random.int(-200, 60)
        add(spec, 'training', ctx.day(day), ctx.day(day + random.int(0, 1)), 8)
      }
    }
  }

  for (const spec of catalogue.people) {
    const person = index.people.get(spec.name) as PersonRow
    const mine = (blocks.get(person.id) ?? []).sort((a, b) => (a.starts_on < b.starts_on ? -1 : 1))
    ctx.tables.time_off.push(...mine)
    const days = index.daysOff.get(person.id) as Set<IsoDate>
    for (const block of mine) {
      for (const d of eachDay(block.starts_on, block.ends_on)) if (!isWeekend(d)) days.add(d)
      if (block.kind === 'parental') index.longLeave.get(person.id)?.push([block.starts_on, block.ends_on])
    }
  }
}
