import { addDays, earliest, latest, mondayOf } from '@psa/calendar'

/**
 * Capacity, bookings and availability of one person over a date range, week by week. A week is Monday to
 * Friday; an allocation books its full `hours_per_week` in every week it overlaps (as bookings are
 * entered); capacity is the person's weekly hours spread over five days, minus public holidays at their
 * location, time off, and days outside their employment.
 */
export interface PersonCalendar {
  weeklyCapacityHours: number
  utilisationTargetPct: number
  employmentStart: string
  employmentEnd: string | null
  /** Public holidays at the person's location. */
  holidays: ReadonlySet<string>
  timeOff: readonly { startsOn: string; endsOn: string; hoursPerDay: number }[]
  allocations: readonly Booking[]
}

export interface Booking {
  startsOn: string
  endsOn: string
  hoursPerWeek: number
  kind: 'soft' | 'hard'
}

export interface WeekLoad {
  /** Monday of the week. */
  week: string
  /** Working hours the person has that week (after holidays, time off, employment dates). */
  capacityHours: number
  timeOffHours: number
  holidayHours: number
  bookedHours: number
  softHours: number
}

const round2 = (n: number) => Math.round(n * 100) / 100

function overlaps(booking: { startsOn: string; endsOn: string }, monday: string): boolean {
  return booking.startsOn <= addDays(monday, 4) && booking.endsOn >= monday
}

/** The weeks (Monday to Friday) overlapping [from, to], with capacity and bookings. */
export function weeklyLoad(
  person: PersonCalendar,
  from: string,
  to: string,
  extra: readonly Booking[] = [],
): WeekLoad[] {
  const daily = person.weeklyCapacityHours / 5
  const weeks: WeekLoad[] = []
  for (let monday = mondayOf(from); monday <= to; monday = addDays(monday, 7)) {
    let capacity = 0
    let timeOff = 0
    let holiday = 0
    for (let i = 0; i < 5; i++) {
      const day = addDays(monday, i)
      if (day < person.employmentStart || (person.employmentEnd !== null && day > person.employmentEnd))
        continue
      if (person.holidays.has(day)) {
        holiday += daily
        continue
      }
      const away = person.timeOff
        .filter((t) => t.startsOn <= day && day <= t.endsOn)
        .reduce((sum, t) => sum + t.hoursPerDay, 0)
      const off = Math.min(daily, away)
      timeOff += off
      capacity += daily - off
    }
    const bookings = [...person.allocations, ...extra].filter((b) => overlaps(b, monday))
    weeks.push({
      week: monday,
      capacityHours: round2(capacity),
      timeOffHours: round2(timeOff),
      holidayHours: round2(holiday),
      bookedHours: round2(bookings.reduce((sum, b) => sum + b.hoursPerWeek, 0)),
      softHours: round2(
        bookings.filter((b) => b.kind === 'soft').reduce((sum, b) => sum + b.hoursPerWeek, 0),
      ),
    })
  }
  return weeks
}

export interface Availability {
  weeks: number
  /** Weekly hours times the weeks, before holidays and time off. */
  grossCapacityHours: number
  holidayHours: number
  timeOffHours: number
  /** What is left to work: gross capacity minus holidays and time off. */
  capacityHours: number
  bookedHours: number
  softBookedHours: number
  /** Capacity minus bookings (negative when over-booked). */
  availableHours: number
  /** Bookings as a share of capacity, percent. */
  utilisationPct: number
  targetPct: number
  /** The least free time in any week of the range (the most that can be booked every week). */
  minFreeHoursPerWeek: number
  /** The same, keeping every week at or under the utilisation target. */
  minFreeToTargetHoursPerWeek: number
  /** Weeks booked past capacity. */
  overAllocatedWeeks: { week: string; bookedHours: number; capacityHours: number }[]
}

export function availability(person: PersonCalendar, from: string, to: string): Availability {
  const weeks = weeklyLoad(person, from, to)
  const sum = (pick: (w: WeekLoad) => number) => round2(weeks.reduce((s, w) => s + pick(w), 0))
  const capacity = sum((w) => w.capacityHours)
  const booked = sum((w) => w.bookedHours)
  const target = person.utilisationTargetPct / 100
  return {
    weeks: weeks.length,
    grossCapacityHours: round2(person.weeklyCapacityHours * weeks.length),
    holidayHours: sum((w) => w.holidayHours),
    timeOffHours: sum((w) => w.timeOffHours),
    capacityHours: capacity,
    bookedHours: booked,
    softBookedHours: sum((w) => w.softHours),
    availableHours: round2(capacity - booked),
    utilisationPct: capacity > 0 ? round2((booked / capacity) * 100) : booked > 0 ? 100 : 0,
    targetPct: person.utilisationTargetPct,
    minFreeHoursPerWeek: weeks.length
      ? round2(Math.min(...weeks.map((w) => w.capacityHours - w.bookedHours)))
      : 0,
    minFreeToTargetHoursPerWeek: weeks.length
      ? round2(Math.min(...weeks.map((w) => w.capacityHours * target - w.bookedHours)))
      : 0,
    overAllocatedWeeks: weeks
      .filter((w) => w.bookedHours > w.capacityHours)
      .map((w) => ({ week: w.week, bookedHours: w.bookedHours, capacityHours: w.capacityHours })),
  }
}

export interface CandidateInput {
  personId: string
  name: string
  /** Proficiency in the asked-for skill (1-5), or null when no skill was asked for. */
  proficiency: number | null
  /** Whether the person holds the asked-for role (true when no role was asked for). */
  roleMatch?: boolean
  availability: Availability
}

export interface RankedCandidate extends CandidateInput {
  /** Free hours per week every week of the range (within the target when that is respected). */
  freeHoursPerWeek: number
  canCover: boolean
  score: number
}

/**
 * Ranks people for a need: mostly whether they can take the hours every week (45 points), then how well they
 * know the skill (25), whether they hold the role asked for (15) and how far under their utilisation
 * target they are (15). `respectTarget` measures free time up to the target instead of up to full capacity.
 */
export function rankCandidates(
  candidates: readonly CandidateInput[],
  need: { hoursPerWeek: number; respectTarget: boolean },
): RankedCandidate[] {
  return candidates
    .map((c) => {
      const a = c.availability
      const free = Math.max(0, need.respectTarget ? a.minFreeToTargetHoursPerWeek : a.minFreeHoursPerWeek)
      const coverage = need.hoursPerWeek > 0 ? Math.min(1, free / need.hoursPerWeek) : 1
      const skill = c.proficiency === null ? 0.6 : c.proficiency / 5
      const headroom =
        a.targetPct > 0 ? Math.min(1, Math.max(0, (a.targetPct - a.utilisationPct) / a.targetPct)) : 0
      return {
        ...c,
        freeHoursPerWeek: round2(free),
        canCover: free >= need.hoursPerWeek,
        score: round2(45 * coverage + 25 * skill + 15 * (c.roleMatch === false ? 0 : 1) + 15 * headroom),
      }
    })
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name))
}

export interface AllocationCheck {
  /** Weeks the new bookings would push past 100% of capacity (refused). */
  overCapacity: { week: string; bookedHours: number; capacityHours: number }[]
  /** Weeks they would push past the utilisation target (allowed, reported). */
  overTarget: { week: string; bookedHours: number; targetHours: number }[]
  peakUtilisationPct: number
}

/** What booking `added` on top of the person's existing bookings does to each week it touches. */
export function checkAllocation(person: PersonCalendar, added: readonly Booking[]): AllocationCheck {
  if (added.length === 0) return { overCapacity: [], overTarget: [], peakUtilisationPct: 0 }
  const from = earliest(added.map((b) => b.startsOn))
  const to = latest(added.map((b) => b.endsOn))
  const weeks = weeklyLoad(person, from, to, added).filter((w) => added.some((b) => overlaps(b, w.week)))
  const target = person.utilisationTargetPct / 100
  return {
    overCapacity: weeks
      .filter((w) => w.bookedHours > w.capacityHours + 1e-9)
      .map((w) => ({ week: w.week, bookedHours: w.bookedHours, capacityHours: w.capacityHours })),
    overTarget: weeks
      .filter((w) => w.bookedHours > w.capacityHours * target + 1e-9)
      .map((w) => ({
        week: w.week,
        bookedHours: w.bookedHours,
        targetHours: round2(w.capacityHours * target),
      })),
    // Weeks without capacity (holidays, leave) are over capacity if booked at all; the peak is over the rest.
    peakUtilisationPct: Math.max(
      0,
      ...weeks.filter((w) => w.capacityHours > 0).map((w) => round2((w.bookedHours / w.capacityHours) * 100)),
    ),
  }
}
