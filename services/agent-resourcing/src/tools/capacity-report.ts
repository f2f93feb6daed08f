import { defineTool, type ToolResult } from '@psa/agent-runtime'
import { addDays, daysBetween, latest } from '@psa/calendar'
import { sql, type Tx } from '@psa/db'
import { AppError } from '@psa/errors'
import { z } from 'zod'
import type { Booking } from '../domain/availability.js'
import { bench, overAllocations, personWeeks, roleUtilisation, utilisation } from '../domain/capacity.js'
import { loadCalendars, loadPeople } from './calendars.js'

const MAX_DAYS = 26 * 7

const windowInput = {
  from: z.iso.date().describe('First day of the window'),
  to: z.iso.date().describe('Last day of the window (at most 26 weeks after from)'),
  role: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe('Only people of this role, e.g. "Senior Developer"'),
}

function checkWindow(from: string, to: string) {
  if (to < from) throw new AppError('VALIDATION_FAILED', '`to` is before `from`')
  if (daysBetween(from, to) > MAX_DAYS)
    throw new AppError('VALIDATION_FAILED', 'The window is longer than 26 weeks')
}

async function loadWindow(tx: Tx, organisationId: string, from: string, to: string, role?: string) {
  if (role) {
    const found = await tx
      .selectFrom('roles')
      .select('id')
      .where('organisation_id', '=', organisationId)
      .where(sql`lower(name)`, '=', role.toLowerCase())
      .executeTakeFirst()
    if (!found) throw new AppError('NOT_FOUND', `The organisation has no role called "${role}"`)
  }
  const people = await loadPeople(tx, { organisationId, employedIn: { from, to }, ...(role && { role }) })
  const calendars = await loadCalendars(tx, people, from, to)
  return { people, calendars }
}

export const capacityReport = defineTool({
  name: 'capacity_report',
  description:
    "Firm-wide capacity for a window, week by week, with capacity net of holidays and time off and all soft and hard bookings: view over_allocation (who is booked past capacity, which weeks, by how much), utilisation (forecast per person and per role against each person's target) or bench (who is free, hours a week before their target). Reads only.",
  inputSchema: z.object({
    ...windowInput,
    view: z.enum(['over_allocation', 'utilisation', 'bench']),
    min_free_hours_per_week: z
      .number()
      .min(0)
      .max(60)
      .optional()
      .describe('Bench: at least this free (default 8)'),
  }),
  run: async (input, ctx): Promise<ToolResult> => {
    checkWindow(input.from, input.to)
    const { people, calendars } = await ctx.asUser((tx) =>
      loadWindow(tx, ctx.session.organisationId, input.from, input.to, input.role),
    )
    const weeks = personWeeks(people, calendars, input.from, input.to)
    const window = { from: input.from, to: input.to, people: people.length, view: input.view }
    if (input.view === 'over_allocation') {
      const over = overAllocations(weeks)
      const names = [...new Set(over.map((o) => o.name))]
      return {
        summary:
          over.length === 0
            ? `Nobody is booked past capacity ${input.from} to ${input.to}`
            : `${names.length} over-allocated: ${names.slice(0, 4).join(', ')}${names.length > 4 ? '…' : ''}`,
        ...window,
        over_allocated_people: names.length,
        over_allocations: over.slice(0, 40).map((o) => ({
          person_id: o.personId,
          name: o.name,
          role: o.role,
          week: o.week,
          booked_hours: o.bookedHours,
          capacity_hours: o.capacityHours,
          over_by_hours: o.overByHours,
        })),
      }
    }
    if (input.view === 'utilisation') {
      const perPerson = utilisation(weeks)
      const perRole = roleUtilisation(weeks)
      const below = perPerson.filter((p) => p.utilisationPct < p.targetPct)
      const above = perPerson.filter((p) => p.utilisationPct > 100)
      const capacity = weeks.reduce((s, p) => s + p.weeks.reduce((t, w) => t + w.capacityHours, 0), 0)
      const booked = weeks.reduce((s, p) => s + p.weeks.reduce((t, w) => t + w.bookedHours, 0), 0)
      const firm = capacity > 0 ? Math.round((booked / capacity) * 100) : 0
      return {
        summary: `Utilisation ${firm}% ${input.from} to ${input.to}; ${below.length} below target, ${above.length} over 100%`,
        ...window,
        utilisation_pct: firm,
        below_target: below.length,
        over_capacity: above.length,
        roles: perRole.map((r) => ({ role: r.role, utilisation_pct: r.utilisationPct, weeks: r.weeks })),
        people: perPerson
          .sort((a, b) => b.utilisationPct - a.utilisationPct)
          .slice(0, 60)
          .map((p) => ({
            person_id: p.personId,
            name: p.name,
            role: p.role,
            utilisation_pct: p.utilisationPct,
            target_pct: p.targetPct,
            weeks: p.weeks,
          })),
      }
    }
    const free = bench(weeks, { minFreeHoursPerWeek: input.min_free_hours_per_week ?? 8, toTarget: true })
    return {
      summary:
        free.length === 0
          ? `Nobody has ${input.min_free_hours_per_week ?? 8}+ h/week free ${input.from} to ${input.to}`
          : `${free.length} on the bench; most free: ${free
              .slice(0, 3)
              .map((b) => `${b.name} (${b.freeHoursPerWeek} h/wk)`)
              .join(', ')}`,
      ...window,
      bench: free.slice(0, 40).map((b) => ({
        person_id: b.personId,
        name: b.name,
        role: b.role,
        free_hours_per_week: b.freeHoursPerWeek,
        utilisation_pct: b.utilisationPct,
        target_pct: b.targetPct,
      })),
    }
  },
})

export const whatIfCapacity = defineTool({
  name: 'what_if_capacity',
  description:
    'A what-if on capacity that writes nothing: win a tentative project (its open resource requests added to its roles, weighted by its win probability unless win_probability_pct is given) and/or a person leaving on a date (their bookings spread over the others of their role). Returns who and which roles would be over capacity, week by week, against today.',
  inputSchema: z.object({
    ...windowInput,
    win_project_id: z.uuid().optional().describe('A tentative project to assume won'),
    win_probability_pct: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe('Weight of its demand (default: its own)'),
    leaving_person_id: z.uuid().optional().describe('A person who leaves'),
    leaving_on: z.iso.date().optional().describe('Their last day is the day before (default: from)'),
  }),
  run: async (input, ctx): Promise<ToolResult> => {
    checkWindow(input.from, input.to)
    if (!input.win_project_id && !input.leaving_person_id)
      throw new AppError('VALIDATION_FAILED', 'Give a project to win or a person who leaves')
    const org = ctx.session.organisationId
    const loaded = await ctx.asUser(async (tx) => {
      const window = await loadWindow(tx, org, input.from, input.to)
      const project = input.win_project_id
        ? await tx
            .selectFrom('projects')
            .select(['id', 'code', 'name', 'status', 'win_probability_pct'])
            .where('id', '=', input.win_project_id)
            .where('organisation_id', '=', org)
            .executeTakeFirst()
        : undefined
      if (input.win_project_id && !project)
        throw new AppError('NOT_FOUND', 'No such project in this organisation')
      const requests = project
        ? await tx
            .selectFrom('resource_requests as rr')
            .innerJoin('roles as r', 'r.id', 'rr.role_id')
            .select(['r.name as role', 'rr.hours_per_week', 'rr.starts_on', 'rr.ends_on'])
            .where('rr.project_id', '=', project.id)
            .execute()
        : []
      const leaving = input.leaving_person_id
        ? await tx
            .selectFrom('allocations')
            .select(['starts_on', 'ends_on', 'hours_per_week', 'kind'])
            .where('person_id', '=', input.leaving_person_id)
            .where('organisation_id', '=', org)
            .where('ends_on', '>=', input.leaving_on ?? input.from)
            .execute()
        : []
      return { ...window, project, requests, leaving }
    })
    const { people, calendars, project, requests, leaving } = loaded
    const before = personWeeks(people, calendars, input.from, input.to)
    const extra = new Map<string, Booking[]>()
    const add = (personId: string, booking: Booking) =>
      extra.set(personId, [...(extra.get(personId) ?? []), booking])
    const notes: string[] = []
    let others = people
    if (input.leaving_person_id) {
      const person = people.find((p) => p.id === input.leaving_person_id)
      if (!person) throw new AppError('NOT_FOUND', 'No such person in this organisation')
      const leavingOn = input.leaving_on ?? input.from
      const calendar = calendars.get(person.id)
      if (calendar)
        calendars.set(person.id, { ...calendar, employmentEnd: addDays(leavingOn, -1), allocations: [] })
      others = people.filter((p) => p.id !== person.id)
      const peers = others.filter((p) => p.role_id === person.role_id)
      for (const a of leaving) {
        for (const peer of peers)
          add(peer.id, {
            startsOn: latest([a.starts_on, leavingOn]),
            endsOn: a.ends_on,
            hoursPerWeek: Number(a.hours_per_week) / Math.max(1, peers.length),
            kind: a.kind,
          })
      }
      notes.push(
        `${person.full_name} leaves on ${leavingOn}: ${leaving.length} booking(s) spread over ${peers.length} other ${person.role_name}(s).`,
      )
    }
    if (project) {
      const weight = (input.win_probability_pct ?? Number(project.win_probability_pct ?? 100)) / 100
      for (const r of requests) {
        const peers = others.filter((p) => p.role_name === r.role)
        for (const peer of peers)
          add(peer.id, {
            startsOn: r.starts_on,
            endsOn: r.ends_on,
            hoursPerWeek: (Number(r.hours_per_week) * weight) / Math.max(1, peers.length),
            kind: 'soft',
          })
      }
      notes.push(
        `${project.code} ${project.name} won: ${requests.length} request(s) added at ${Math.round(weight * 100)}% (${input.win_probability_pct === undefined ? 'its win probability' : 'as asked'}), spread over each role.`,
      )
    }
    const after = personWeeks(others, calendars, input.from, input.to, extra)
    const overBefore = new Set(overAllocations(before).map((o) => `${o.personId}/${o.week}`))
    const overAfter = overAllocations(after)
    const newlyOver = overAfter.filter((o) => !overBefore.has(`${o.personId}/${o.week}`))
    const roles = roleUtilisation(after).filter((r) => r.weeks.some((w) => w.utilisationPct > 100))
    const names = [...new Set(newlyOver.map((o) => o.name))]
    return {
      summary: `What-if (nothing written): ${names.length === 0 ? 'nobody new goes over capacity' : `${names.length} would go over capacity: ${names.slice(0, 4).join(', ')}`}`,
      written: false,
      from: input.from,
      to: input.to,
      notes,
      newly_over_capacity: newlyOver.slice(0, 40).map((o) => ({
        person_id: o.personId,
        name: o.name,
        role: o.role,
        week: o.week,
        booked_hours: Math.round(o.bookedHours * 10) / 10,
        capacity_hours: o.capacityHours,
      })),
      roles_over_capacity: roles.map((r) => ({
        role: r.role,
        weeks: r.weeks.filter((w) => w.utilisationPct > 100).map((w) => w.week),
      })),
    }
  },
})
