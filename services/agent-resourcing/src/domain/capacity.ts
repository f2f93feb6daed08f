import type { Booking, PersonCalendar, WeekLoad } from './availability.js'
import { weeklyLoad } from './availability.js'

/** One person's weeks over a window, with what the firm-wide views need. */
export interface PersonWeeks {
  personId: string
  name: string
  role: string
  targetPct: number
  weeks: WeekLoad[]
}

export interface OverAllocation {
  personId: string
  name: string
  role: string
  week: string
  bookedHours: number
  capacityHours: number
  overByHours: number
}

const round1 = (n: number) => Math.round(n * 10) / 10

export function personWeeks(
  people: readonly { id: string; full_name: string; role_name: string; utilisation_target_pct: string }[],
  calendars: ReadonlyMap<string, PersonCalendar>,
  from: string,
  to: string,
  extra: ReadonlyMap<string, readonly Booking[]> = new Map(),
): PersonWeeks[] {
  return people.flatMap((p) => {
    const calendar = calendars.get(p.id)
    if (!calendar) return []
    return [
      {
        personId: p.id,
        name: p.full_name,
        role: p.role_name,
        targetPct: Number(p.utilisation_target_pct),
        weeks: weeklyLoad(calendar, from, to, extra.get(p.id) ?? []),
      },
    ]
  })
}

/** Every person-week booked past the person's capacity net of holidays and time off, worst first. */
export function overAllocations(people: readonly PersonWeeks[]): OverAllocation[] {
  return people
    .flatMap((p) =>
      p.weeks
        .filter((w) => w.bookedHours > w.capacityHours + 0.01)
        .map((w) => ({
          personId: p.personId,
          name: p.name,
          role: p.role,
          week: w.week,
          bookedHours: w.bookedHours,
          capacityHours: w.capacityHours,
          overByHours: round1(w.bookedHours - w.capacityHours),
        })),
    )
    .sort(
      (a, b) => b.overByHours - a.overByHours || a.week.localeCompare(b.week) || a.name.localeCompare(b.name),
    )
}

export interface Utilisation {
  personId: string
  name: string
  role: string
  targetPct: number
  /** Booked hours over capacity (net of holidays and time off) for the whole window. */
  utilisationPct: number
  freeHours: number
  weeks: { week: string; utilisationPct: number }[]
}

export function utilisation(people: readonly PersonWeeks[]): Utilisation[] {
  return people.map((p) => {
    const capacity = p.weeks.reduce((s, w) => s + w.capacityHours, 0)
    const booked = p.weeks.reduce((s, w) => s + w.bookedHours, 0)
    return {
      personId: p.personId,
      name: p.name,
      role: p.role,
      targetPct: p.targetPct,
      utilisationPct: capacity > 0 ? Math.round((booked / capacity) * 100) : 0,
      freeHours: round1(Math.max(0, capacity - booked)),
      weeks: p.weeks.map((w) => ({
        week: w.week,
        utilisationPct: w.capacityHours > 0 ? Math.round((w.bookedHours / w.capacityHours) * 100) : 0,
      })),
    }
  })
}

/** Utilisation per role and week: booked over capacity of everyone in the role. */
export function roleUtilisation(people: readonly PersonWeeks[]) {
  const roles = new Map<string, Map<string, { capacity: number; booked: number }>>()
  for (const p of people) {
    const weeks = roles.get(p.role) ?? new Map()
    for (const w of p.weeks) {
      const cell = weeks.get(w.week) ?? { capacity: 0, booked: 0 }
      cell.capacity += w.capacityHours
      cell.booked += w.bookedHours
      weeks.set(w.week, cell)
    }
    roles.set(p.role, weeks)
  }
  return [...roles.entries()]
    .map(([role, weeks]) => {
      const cells = [...weeks.entries()].sort(([a], [b]) => a.localeCompare(b))
      const capacity = cells.reduce((s, [, c]) => s + c.capacity, 0)
      const booked = cells.reduce((s, [, c]) => s + c.booked, 0)
      return {
        role,
        utilisationPct: capacity > 0 ? Math.round((booked / capacity) * 100) : 0,
        weeks: cells.map(([week, c]) => ({
          week,
          utilisationPct: c.capacity > 0 ? Math.round((c.booked / c.capacity) * 100) : 0,
          freeHours: round1(Math.max(0, c.capacity - c.booked)),
        })),
      }
    })
    .sort((a, b) => b.utilisationPct - a.utilisationPct)
}

/** Who is free: hours a week on average left before the utilisation target (or capacity), most first. */
export function bench(
  people: readonly PersonWeeks[],
  options: { minFreeHoursPerWeek: number; toTarget: boolean },
) {
  return people
    .map((p) => {
      const weeks = Math.max(1, p.weeks.length)
      const capacity = p.weeks.reduce((s, w) => s + w.capacityHours, 0)
      const booked = p.weeks.reduce((s, w) => s + w.bookedHours, 0)
      const limit = options.toTarget ? (capacity * p.targetPct) / 100 : capacity
      return {
        personId: p.personId,
        name: p.name,
        role: p.role,
        freeHoursPerWeek: round1(Math.max(0, limit - booked) / weeks),
        utilisationPct: capacity > 0 ? Math.round((booked / capacity) * 100) : 0,
        targetPct: p.targetPct,
      }
    })
    .filter((b) => b.freeHoursPerWeek >= options.minFreeHoursPerWeek)
    .sort((a, b) => b.freeHoursPerWeek - a.freeHoursPerWeek || a.name.localeCompare(b.name))
}
