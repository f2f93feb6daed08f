import { latest, mondayOf } from '@psa/calendar'
import { checkAllocation, type PersonCalendar, weeklyLoad } from './availability.js'

/**
 * Week-by-week checks behind the staffing optimiser: its model gives each person one weekly capacity (their
 * tightest week), so what it proposes, what it leaves open and what the alternatives would do are checked
 * here against every week of the person's calendar, as propose_allocation checks them.
 */

export interface WeeklyNeed {
  startsOn: string
  endsOn: string
  hoursPerWeek: number
}

/**
 * The needs grouped so that no two groups share a week (Monday to Friday; a weekend start counts its week,
 * which only merges more): one person's capacity in one group never limits them in another.
 */
export function weekClusters<N extends WeeklyNeed>(needs: readonly N[]): N[][] {
  const sorted = [...needs].sort((a, b) => a.startsOn.localeCompare(b.startsOn))
  const clusters: N[][] = []
  let lastWeek = ''
  for (const n of sorted) {
    const current = clusters.at(-1)
    if (current && mondayOf(n.startsOn) <= lastWeek) {
      current.push(n)
      lastWeek = latest([lastWeek, mondayOf(n.endsOn)])
    } else {
      clusters.push([n])
      lastWeek = mondayOf(n.endsOn)
    }
  }
  return clusters
}

/** Whether these bookings fit next to the person's existing ones in every week (and within target). */
export function fitsEveryWeek(
  calendar: PersonCalendar,
  needs: readonly WeeklyNeed[],
  respectTarget: boolean,
): boolean {
  const check = checkAllocation(
    calendar,
    needs.map((n) => ({
      startsOn: n.startsOn,
      endsOn: n.endsOn,
      hoursPerWeek: n.hoursPerWeek,
      kind: 'soft',
    })),
  )
  return check.overCapacity.length === 0 && (!respectTarget || check.overTarget.length === 0)
}

/** What leaves the least free time in [from, to]: the tightest week and whether leave or bookings fill it. */
export function tightestWeek(calendar: PersonCalendar, from: string, to: string): string {
  const weeks = weeklyLoad(calendar, from, to)
  const worst = weeks.reduce<(typeof weeks)[number] | undefined>(
    (w, x) => (!w || x.capacityHours - x.bookedHours < w.capacityHours - w.bookedHours ? x : w),
    undefined,
  )
  if (!worst) return ''
  const away = worst.holidayHours + worst.timeOffHours
  const why = [
    worst.bookedHours > 0 ? `${worst.bookedHours} h booked` : '',
    worst.holidayHours > 0 ? `${worst.holidayHours} h public holiday` : '',
    worst.timeOffHours > 0 ? `${worst.timeOffHours} h time off` : '',
    away === 0 && worst.bookedHours === 0 && worst.capacityHours < calendar.weeklyCapacityHours
      ? 'not employed all week'
      : '',
  ].filter(Boolean)
  return why.length > 0 ? ` (week of ${worst.week}: ${why.join(', ')})` : ''
}
