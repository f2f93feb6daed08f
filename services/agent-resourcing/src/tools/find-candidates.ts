import { defineTool, type ToolResult } from '@psa/agent-runtime'
import { sql, type Tx } from '@psa/db'
import { AppError } from '@psa/errors'
import { z } from 'zod'
import { availability, rankCandidates } from '../domain/availability.js'
import { loadCalendars, loadPeople, type PersonRow } from './calendars.js'

export const findCandidatesInput = z.object({
  resource_request_id: z
    .uuid()
    .optional()
    .describe('Take the role, skill, dates and hours from this request'),
  role: z.string().trim().min(1).max(100).optional().describe('A role name, e.g. "Senior Developer"'),
  skill: z.string().trim().min(1).max(100).optional().describe('A skill name, e.g. "React"'),
  min_proficiency: z
    .number()
    .int()
    .min(1)
    .max(5)
    .optional()
    .describe('Minimum skill proficiency (default 3)'),
  also_skills: z
    .array(
      z.object({
        skill: z.string().trim().min(1).max(100),
        min_proficiency: z.number().int().min(1).max(5).optional().describe('Default 3'),
      }),
    )
    .max(5)
    .optional()
    .describe('Further skills every candidate must also have ("React and TypeScript at 4+")'),
  min_level: z
    .number()
    .int()
    .min(1)
    .max(5)
    .optional()
    .describe('Minimum seniority level (1 junior .. 5 principal)'),
  starts_on: z.iso.date().optional(),
  ends_on: z.iso.date().optional(),
  hours_per_week: z.number().positive().max(80).optional().describe('Hours a week needed (default 40)'),
  respect_utilisation_target: z
    .boolean()
    .optional()
    .describe("Count only free time up to each person's utilisation target (default true)"),
  limit: z.number().int().min(1).max(50).optional(),
})

/** Keeps the people who hold every one of `skills` at its minimum proficiency (default 3). */
async function withAllSkills<P extends { id: string }>(
  tx: Tx,
  organisationId: string,
  people: P[],
  skills: readonly { skill: string; min_proficiency?: number | undefined }[],
): Promise<P[]> {
  if (skills.length === 0 || people.length === 0) return people
  const rows = await tx
    .selectFrom('person_skills as ps')
    .innerJoin('skills as s', 's.id', 'ps.skill_id')
    .select(['ps.person_id', 's.name', 'ps.proficiency'])
    .where('s.organisation_id', '=', organisationId)
    .where(
      sql`lower(s.name)`,
      'in',
      skills.map((k) => k.skill.toLowerCase()),
    )
    .where(
      'ps.person_id',
      'in',
      people.map((p) => p.id),
    )
    .execute()
  const known = new Set(rows.map((r) => r.name.toLowerCase()))
  const missing = skills.find((k) => !known.has(k.skill.toLowerCase()))
  if (missing)
    throw new AppError('NOT_FOUND', `Nobody has the skill "${missing.skill}" (or it does not exist)`)
  return people.filter((p) =>
    skills.every((k) =>
      rows.some(
        (r) =>
          r.person_id === p.id &&
          r.name.toLowerCase() === k.skill.toLowerCase() &&
          r.proficiency >= (k.min_proficiency ?? 3),
      ),
    ),
  )
}

export const findCandidates = defineTool({
  name: 'find_candidates',
  description:
    "Rank people for a staffing need (role, skill with minimum proficiency, date range, hours per week, or an existing resource request; with a skill, anyone with it qualifies and the role ranks): availability = capacity minus holidays, time off and existing bookings, week by week, and utilisation against each person's target. Reads only.",
  inputSchema: findCandidatesInput,
  run: async (input, ctx): Promise<ToolResult> => {
    const result = await ctx.asUser(async (tx) => {
      let need = { ...input }
      let request: { code: string; id: string } | undefined
      if (input.resource_request_id) {
        const row = await tx
          .selectFrom('resource_requests as rr')
          .innerJoin('projects as p', 'p.id', 'rr.project_id')
          .innerJoin('roles as r', 'r.id', 'rr.role_id')
          .leftJoin('skills as s', 's.id', 'rr.skill_id')
          .select([
            'rr.id',
            'p.code',
            'r.name as role',
            's.name as skill',
            'rr.min_proficiency',
            'rr.hours_per_week',
            'rr.starts_on',
            'rr.ends_on',
          ])
          .where('rr.id', '=', input.resource_request_id)
          .executeTakeFirst()
        if (!row)
          throw new AppError('NOT_FOUND', 'No such resource request', {
            details: { resource_request_id: input.resource_request_id },
          })
        request = { code: row.code, id: row.id }
        need = {
          role: row.role,
          ...(row.skill ? { skill: row.skill } : {}),
          ...(row.min_proficiency ? { min_proficiency: row.min_proficiency } : {}),
          starts_on: row.starts_on,
          ends_on: row.ends_on,
          hours_per_week: Number(row.hours_per_week),
          ...input,
        }
      }
      const { starts_on: from, ends_on: to } = need
      if (!from || !to)
        throw new AppError(
          'VALIDATION_FAILED',
          'Give the date range (starts_on and ends_on) or a resource request',
        )
      if (to < from) throw new AppError('VALIDATION_FAILED', 'ends_on is before starts_on')
      const minProficiency = need.min_proficiency ?? 3
      let skillId: string | undefined
      if (need.skill) {
        const skill = await tx
          .selectFrom('skills')
          .select(['id', 'name'])
          .where(sql`lower(name)`, '=', need.skill.toLowerCase())
          .executeTakeFirst()
        if (!skill) throw new AppError('NOT_FOUND', `The organisation has no skill called "${need.skill}"`)
        skillId = skill.id
      }
      if (need.role) {
        const role = await tx
          .selectFrom('roles')
          .select('id')
          .where(sql`lower(name)`, '=', need.role.toLowerCase())
          .executeTakeFirst()
        if (!role) throw new AppError('NOT_FOUND', `The organisation has no role called "${need.role}"`)
      }
      const people = await loadPeople(tx, {
        organisationId: ctx.session.organisationId,
        ...(skillId !== undefined && { skill: { id: skillId, minProficiency } }),
        // With a skill, the skill qualifies and the role only ranks (a lead can fill a senior's slot).
        ...(need.role && skillId === undefined && { role: need.role }),
        ...(need.min_level !== undefined && { minLevel: need.min_level }),
        employedIn: { from, to },
      })
      const qualified = await withAllSkills(tx, ctx.session.organisationId, people, need.also_skills ?? [])
      const calendars = await loadCalendars(tx, qualified, from, to)
      return {
        need: { ...need, starts_on: from, ends_on: to, min_proficiency: minProficiency },
        people: qualified,
        calendars,
        request,
      }
    })
    const { need, people, calendars, request } = result
    const hoursPerWeek = need.hours_per_week ?? 40
    const respectTarget = need.respect_utilisation_target ?? true
    const ranked = rankCandidates(
      people.map((p) => ({
        personId: p.id,
        name: p.full_name,
        proficiency: need.skill ? (p.proficiency ?? null) : null,
        roleMatch: !need.role || p.role_name.toLowerCase() === need.role.toLowerCase(),
        availability: availability(calendars.get(p.id) as never, need.starts_on, need.ends_on),
      })),
      { hoursPerWeek, respectTarget },
    )
    const byId = new Map(people.map((p) => [p.id, p]))
    const coverCount = ranked.filter((c) => c.canCover).length
    const top = ranked.slice(0, need.limit ?? 5)
    const what =
      [
        need.role,
        need.skill ? `${need.skill} ≥ ${need.min_proficiency}` : null,
        ...(need.also_skills ?? []).map((k) => `${k.skill} ≥ ${k.min_proficiency ?? 3}`),
      ]
        .filter(Boolean)
        .join(', ') || 'anyone'
    const summary =
      ranked.length === 0
        ? `Nobody matches ${what}`
        : coverCount === 0
          ? `${ranked.length} match ${what}, none free for ${hoursPerWeek} h/wk${respectTarget ? ' within their target' : ''}; best: ${top[0]?.name} (${top[0]?.freeHoursPerWeek} h/wk free)`
          : `${coverCount} of ${ranked.length} matching ${what} can take ${hoursPerWeek} h/wk; best: ${top[0]?.name}`
    return {
      summary,
      need: {
        resource_request_id: request?.id ?? null,
        request_code: request?.code ?? null,
        role: need.role ?? null,
        skill: need.skill ?? null,
        min_proficiency: need.skill ? need.min_proficiency : null,
        starts_on: need.starts_on,
        ends_on: need.ends_on,
        hours_per_week: hoursPerWeek,
        respect_utilisation_target: respectTarget,
      },
      qualified: ranked.length,
      can_cover: coverCount,
      shortage: coverCount === 0,
      candidates: top.map((c) => {
        const p = byId.get(c.personId) as PersonRow
        const a = c.availability
        return {
          person_id: c.personId,
          name: c.name,
          role: p.role_name,
          level: p.level,
          proficiency: c.proficiency,
          capacity_hours: a.capacityHours,
          time_off_hours: a.timeOffHours,
          holiday_hours: a.holidayHours,
          booked_hours: a.bookedHours,
          soft_booked_hours: a.softBookedHours,
          available_hours: a.availableHours,
          utilisation_pct: a.utilisationPct,
          target_pct: a.targetPct,
          free_hours_per_week: c.freeHoursPerWeek,
          over_allocated_weeks: a.overAllocatedWeeks.map((w) => w.week),
          can_cover: c.canCover,
          score: c.score,
        }
      }),
    }
  },
})
