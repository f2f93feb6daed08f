import { callTools, finish, lastCall, type PlaybookDecision, type PlaybookInput } from '@psa/agent-models'
import { addDays, nextMonday } from '@psa/calendar'

/**
 * The resourcing agent's firm-wide views under the offline model: over-allocation, utilisation forecast, bench
 * and what-if scenarios. All read only; the window comes from the request ("next week", "in Q1", "over the
 * next four weeks") or defaults to the next four weeks, said in the answer.
 */

type View = 'over_allocation' | 'utilisation' | 'bench'

function windowOf(
  input: PlaybookInput,
  defaultWeeks: number,
): { from: string; to: string; assumed: boolean } {
  const u = input.understanding
  const today = input.context.today ?? u.today ?? '1970-01-01'
  const period = u.summary.period
  if (period && period.to >= period.from) return { ...period, assumed: false }
  const start = u.summary.startDate
  const weeks = u.summary.duration ? Math.max(1, Math.round(u.summary.duration.weeks)) : null
  // "in the next four weeks": a duration with no start runs from today's week.
  const from = start ?? (weeks ? today : nextMonday(today))
  return { from, to: addDays(from, (weeks ?? defaultWeeks) * 7 - 1), assumed: !start && !weeks }
}

function roleFilter(input: PlaybookInput): { role: string } | Record<string, never> {
  const known = input.understanding.roles.find((r) => r.knownRole)?.knownRole
  return known ? { role: known } : {}
}

interface ReportOut {
  summary: string
  from: string
  to: string
  over_allocations?: { name: string; week: string; booked_hours: number; capacity_hours: number }[]
  bench?: { name: string; role: string; free_hours_per_week: number }[]
  roles?: { role: string; utilisation_pct: number }[]
  people?: { name: string; utilisation_pct: number; target_pct: number }[]
}

function describeReport(view: View, out: ReportOut, assumed: boolean): string {
  const when = `${out.from} to ${out.to}${assumed ? ' (no dates were given, so the next four weeks)' : ''}`
  if (view === 'over_allocation') {
    const rows = out.over_allocations ?? []
    if (rows.length === 0) return `Nobody is booked past their capacity ${when}.`
    const lines = rows
      .slice(0, 8)
      .map(
        (o) =>
          `- ${o.name}, week of ${o.week}: ${o.booked_hours} h booked against ${o.capacity_hours} h capacity`,
      )
    return `Over-allocated ${when}:\n${lines.join('\n')}\nI changed nothing; rebalance by moving soft bookings or asking me to find cover.`
  }
  if (view === 'bench') {
    const rows = out.bench ?? []
    if (rows.length === 0) return `Nobody has meaningful free time ${when}.`
    return `Free ${when} (hours a week before their utilisation target):\n${rows
      .slice(0, 10)
      .map((b) => `- ${b.name} (${b.role}): ${b.free_hours_per_week} h/week`)
      .join('\n')}`
  }
  const roles = (out.roles ?? [])
    .slice(0, 8)
    .map((r) => `${r.role} ${r.utilisation_pct}%`)
    .join(', ')
  const off = (out.people ?? []).filter((p) => p.utilisation_pct < p.target_pct).slice(-5)
  return `${out.summary} (${when}). By role: ${roles}.${off.length > 0 ? ` Furthest below target: ${off.map((p) => `${p.name} ${p.utilisation_pct}% vs ${p.target_pct}%`).join(', ')}.` : ''}`
}

export function capacityView(input: PlaybookInput, view: View): PlaybookDecision {
  const when = windowOf(input, 4)
  const call = lastCall(input.steps, 'capacity_report')
  if (call) {
    if (call.status !== 'success') return finish(`I could not build the report: ${call.text}`)
    return finish(describeReport(view, call.output as unknown as ReportOut, when.assumed), {
      result: call.output,
    })
  }
  const label = {
    over_allocation: 'over-allocations',
    utilisation: 'the utilisation forecast',
    bench: 'the bench',
  }[view]
  return callTools(
    `Checking ${label} from ${when.from} to ${when.to}, net of holidays, time off and bookings.`,
    {
      name: 'capacity_report',
      input: { view, from: when.from, to: when.to, ...roleFilter(input) },
    },
  )
}

export function whatIf(input: PlaybookInput): PlaybookDecision {
  const u = input.understanding
  const call = lastCall(input.steps, 'what_if_capacity')
  if (call) {
    if (call.status !== 'success') return finish(`I could not run the what-if: ${call.text}`)
    const out = call.output as unknown as {
      summary: string
      notes: string[]
      newly_over_capacity: { name: string; week: string; booked_hours: number; capacity_hours: number }[]
    }
    const lines = out.newly_over_capacity
      .slice(0, 8)
      .map((o) => `- ${o.name}, week of ${o.week}: ${o.booked_hours} h against ${o.capacity_hours} h`)
    return finish(`${out.summary}. ${out.notes.join(' ')}${lines.length ? `\n${lines.join('\n')}` : ''}`, {
      result: call.output,
    })
  }
  const project = u.summary.project
  const person = u.entities.find((e) => e.kind === 'person' && e.id)
  const leaving = person && /\b(leav\w*|left|quit\w*|resign\w*|goes|gone)\b/i.test(input.request)
  if (!project?.id && !leaving) {
    return finish(
      'I can run a what-if without changing anything: winning a tentative project ("what if we win NW-501?") or a person leaving ("what if Priya leaves in January?"). Tell me which. I made no changes.',
    )
  }
  const when = windowOf(input, 8)
  const probability = u.summary.winProbability ?? u.percentages.find((p) => p.role === 'unspecified')?.value
  return callTools(
    `Running a what-if (nothing is written) from ${when.from} to ${when.to}${project ? ` with ${project.name} won` : ''}${leaving ? ` and ${person.name} leaving` : ''}.`,
    {
      name: 'what_if_capacity',
      input: {
        from: when.from,
        to: when.to,
        ...(project?.id && { win_project_id: project.id }),
        ...(project?.id && probability !== undefined && { win_probability_pct: probability }),
        ...(leaving &&
          person.id && { leaving_person_id: person.id, leaving_on: u.summary.startDate ?? when.from }),
      },
    },
  )
}
