import { defineTool, type ToolResult } from '@psa/agent-runtime'
import { sql, type Tx } from '@psa/db'
import { AppError } from '@psa/errors'
import { z } from 'zod'

export const openRequestsInput = z
  .object({
    project_id: z.uuid().optional(),
    client_id: z.uuid().optional(),
    skill: z.string().trim().min(1).max(100).optional().describe('Only requests needing this skill'),
    role: z.string().trim().min(1).max(100).optional().describe('Only requests for this role name'),
    from: z.iso.date().optional().describe('Only requests still running on or after this day'),
    to: z.iso.date().optional().describe('Only requests starting on or before this day'),
    all_projects: z.boolean().optional().describe("Every project's open requests"),
    limit: z.number().int().min(1).max(50).optional(),
  })
  .refine((v) => v.project_id || v.client_id || v.skill || v.role || v.all_projects, {
    message: 'name a project, a client, a skill or a role, or set all_projects',
  })

export type OpenRequestsFilter = Omit<z.output<typeof openRequestsInput>, 'all_projects'> & {
  /** Only these requests (the others named are simply not returned). */
  ids?: readonly string[]
}

/**
 * The open and partially filled requests of the session's organisation on projects still running, with
 * the hours already booked against each. A client named that the user cannot see is NOT_FOUND.
 */
export async function loadOpenRequests(tx: Tx, organisationId: string, input: OpenRequestsFilter) {
  if (input.client_id) {
    const client = await tx
      .selectFrom('clients')
      .select('id')
      .where('id', '=', input.client_id)
      .where('organisation_id', '=', organisationId)
      .executeTakeFirst()
    if (!client)
      throw new AppError('NOT_FOUND', 'No such client', { details: { client_id: input.client_id } })
  }
  return tx
    .selectFrom('resource_requests as rr')
    .innerJoin('projects as p', 'p.id', 'rr.project_id')
    .innerJoin('clients as c', 'c.id', 'p.client_id')
    .innerJoin('roles as r', 'r.id', 'rr.role_id')
    .leftJoin('skills as s', 's.id', 'rr.skill_id')
    .select([
      'rr.id',
      'rr.project_id',
      'p.code',
      'p.name as project_name',
      'c.name as client_name',
      'rr.role_id',
      'r.name as role',
      'rr.skill_id',
      's.name as skill',
      'rr.min_proficiency',
      'rr.hours_per_week',
      'rr.starts_on',
      'rr.ends_on',
      'rr.status',
      sql<string>`(select coalesce(sum(a.hours_per_week), 0) from public.allocations a where a.resource_request_id = rr.id)`.as(
        'booked_hours_per_week',
      ),
    ])
    .where('rr.organisation_id', '=', organisationId)
    .where('rr.status', 'in', ['open', 'partially_filled'])
    .where('p.status', 'not in', ['completed', 'cancelled'])
    .$if(Boolean(input.project_id), (q) => q.where('rr.project_id', '=', input.project_id as string))
    .$if(Boolean(input.client_id), (q) => q.where('p.client_id', '=', input.client_id as string))
    .$if(input.ids !== undefined, (q) => q.where('rr.id', 'in', [...(input.ids ?? [])]))
    .$if(Boolean(input.skill), (q) => q.where(sql`lower(s.name)`, '=', (input.skill as string).toLowerCase()))
    .$if(Boolean(input.role), (q) => q.where(sql`lower(r.name)`, '=', (input.role as string).toLowerCase()))
    .$if(Boolean(input.from), (q) => q.where('rr.ends_on', '>=', input.from as string))
    .$if(Boolean(input.to), (q) => q.where('rr.starts_on', '<=', input.to as string))
    .orderBy('rr.starts_on')
    .orderBy('p.code')
    .orderBy('rr.id')
    .limit(input.limit ?? 20)
    .execute()
}

export const listOpenRequests = defineTool({
  name: 'list_open_requests',
  description:
    'Open and partially filled resource requests (staffing needs) of a project or a client, optionally only those needing a skill or role, with the hours already booked against each.',
  inputSchema: openRequestsInput,
  run: async (input, ctx): Promise<ToolResult> => {
    const rows = await ctx.asUser((tx) => loadOpenRequests(tx, ctx.session.organisationId, input))
    const requests = rows.map((r) => ({
      resource_request_id: r.id,
      project_id: r.project_id,
      code: r.code,
      project: r.project_name,
      client: r.client_name,
      role: r.role,
      skill: r.skill,
      min_proficiency: r.min_proficiency,
      hours_per_week: Number(r.hours_per_week),
      booked_hours_per_week: Number(r.booked_hours_per_week),
      starts_on: r.starts_on,
      ends_on: r.ends_on,
      status: r.status,
    }))
    const summary =
      requests.length === 0
        ? 'No open resource requests match'
        : `${requests.length} open request(s): ${requests
            .slice(0, 5)
            .map(
              (r) =>
                `${r.code} ${r.role}${r.skill ? ` (${r.skill}${r.min_proficiency ? ` ≥ ${r.min_proficiency}` : ''})` : ''} ${r.hours_per_week} h/wk from ${r.starts_on}`,
            )
            .join('; ')}`
    return { summary, requests }
  },
})
