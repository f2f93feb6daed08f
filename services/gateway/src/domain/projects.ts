import { sql, type Tx } from '@psa/db'
import { AppError } from '@psa/errors'
import { z } from 'zod'
import { dateSchema, decimalSchema, moneySchema, timestampSchema, uuidSchema } from '../schemas/common.js'
import { criticalPath } from './critical-path.js'
import { decodeCursor, pageOf } from './cursor.js'
import { type Burn, burnByProject, burnSchema, healthReasonSchema, healthReasons } from './project-health.js'
import { baselineSchema, latestBaseline, projectTeam, teamMemberSchema } from './project-team.js'

export const PROJECT_STATUSES = ['tentative', 'active', 'on_hold', 'completed', 'cancelled'] as const
export const PROJECT_HEALTHS = ['green', 'amber', 'red'] as const

export interface ProjectListFilter {
  organisationId: string
  status?: (typeof PROJECT_STATUSES)[number] | undefined
  clientId?: string | undefined
  health?: (typeof PROJECT_HEALTHS)[number] | undefined
  q?: string | undefined
  pageSize: number
  pageToken?: string | undefined
  asOf: string
}

const projectCursor = z.tuple([z.string(), z.uuid()])

function projectColumns(tx: Tx) {
  return tx
    .selectFrom('projects as p')
    .innerJoin('clients as c', (j) =>
      j.onRef('c.id', '=', 'p.client_id').onRef('c.organisation_id', '=', 'p.organisation_id'),
    )
    .leftJoin('people as m', (j) =>
      j.onRef('m.id', '=', 'p.manager_person_id').onRef('m.organisation_id', '=', 'p.organisation_id'),
    )
    .select([
      'p.id',
      'p.organisation_id',
      'p.code',
      'p.name',
      'p.description',
      'p.status',
      'p.health',
      'p.billing_model',
      'p.budget_minor',
      'p.currency',
      'p.starts_on',
      'p.ends_on',
      'p.win_probability_pct',
      'p.rate_card_id',
      'p.version',
      'p.created_at',
      'p.updated_at',
      'c.id as client_id',
      'c.name as client_name',
      'm.id as manager_id',
      'm.full_name as manager_name',
    ])
}

type ProjectJson = z.infer<typeof projectSchema>
type ProjectRow = Awaited<ReturnType<ReturnType<typeof projectColumns>['executeTakeFirstOrThrow']>>

function toProjectJson(p: ProjectRow): ProjectJson {
  return {
    id: p.id,
    organisation_id: p.organisation_id,
    code: p.code,
    name: p.name,
    description: p.description,
    status: p.status,
    health: p.health,
    billing_model: p.billing_model,
    budget_minor: p.budget_minor,
    currency: p.currency,
    starts_on: p.starts_on,
    ends_on: p.ends_on,
    win_probability_pct: p.win_probability_pct,
    rate_card_id: p.rate_card_id,
    client: { id: p.client_id, name: p.client_name },
    manager: p.manager_id ? { id: p.manager_id, full_name: p.manager_name as string } : null,
    version: p.version,
    created_at: p.created_at.toISOString(),
    updated_at: p.updated_at.toISOString(),
  }
}

export async function listProjects(
  tx: Tx,
  f: ProjectListFilter,
): Promise<{ projects: z.infer<typeof projectListItemSchema>[]; next_page_token: string | null }> {
  const after = decodeCursor(f.pageToken, projectCursor)
  const rows = await projectColumns(tx)
    .where('p.organisation_id', '=', f.organisationId)
    .$if(f.status !== undefined, (q) =>
      q.where('p.status', '=', f.status as (typeof PROJECT_STATUSES)[number]),
    )
    .$if(f.health !== undefined, (q) =>
      q.where('p.health', '=', f.health as (typeof PROJECT_HEALTHS)[number]),
    )
    .$if(f.clientId !== undefined, (q) => q.where('p.client_id', '=', f.clientId as string))
    .$if(Boolean(f.q), (q) =>
      q.where((eb) =>
        eb.or([
          eb('p.name', 'ilike', likePattern(f.q as string)),
          eb('p.code', 'ilike', likePattern(f.q as string)),
        ]),
      ),
    )
    .$if(after !== undefined, (q) =>
      q.where((eb) =>
        eb(eb.refTuple('p.name', 'p.id'), '>', eb.tuple(after?.[0] as string, after?.[1] as string)),
      ),
    )
    .orderBy('p.name')
    .orderBy('p.id')
    .limit(f.pageSize + 1)
    .execute()
  const page = pageOf(rows, f.pageSize, (r) => [r.name, r.id])
  const burns = await burnByProject(tx, f.organisationId, page.items)
  const reasons = await healthReasons(tx, f.organisationId, f.asOf, page.items, burns)
  return {
    projects: page.items.map((p) => {
      const burn = burns.get(p.id) as Burn
      return {
        ...toProjectJson(p),
        burn_pct: burn.burn_pct,
        percent_complete: burn.percent_complete,
        health_reasons: reasons.get(p.id) ?? [],
      }
    }),
    next_page_token: page.next_page_token,
  }
}

/** `%term%` for ILIKE, with the pattern characters in the term matched literally. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

/** A project with its plan (phases, tasks, dependencies, milestones) and how much of the budget is used. */
export async function getProject(
  tx: Tx,
  projectId: string,
  asOf: string,
): Promise<z.infer<typeof projectDetailSchema>> {
  // By id alone: RLS shows the user the projects of every organisation they belong to.
  const project = await projectColumns(tx).where('p.id', '=', projectId).executeTakeFirst()
  if (!project) throw new AppError('NOT_FOUND', 'Project not found', { details: { project_id: projectId } })
  const organisationId = project.organisation_id

  const [phases, tasks, dependencies, milestones, burns, team, baseline] = await Promise.all([
    tx
      .selectFrom('phases')
      .select(['id', 'name', 'sequence', 'starts_on', 'ends_on', 'version'])
      .where('organisation_id', '=', organisationId)
      .where('project_id', '=', projectId)
      .orderBy('sequence')
      .execute(),
    tx
      .selectFrom('tasks as t')
      .leftJoin('people as a', (j) =>
        j.onRef('a.id', '=', 't.assignee_person_id').onRef('a.organisation_id', '=', 't.organisation_id'),
      )
      .leftJoin('roles as r', (j) =>
        j.onRef('r.id', '=', 't.role_id').onRef('r.organisation_id', '=', 't.organisation_id'),
      )
      .select([
        't.id',
        't.phase_id',
        't.name',
        't.role_id',
        'r.name as role_name',
        't.estimate_hours',
        't.starts_on',
        't.ends_on',
        't.status',
        't.percent_complete',
        't.assignee_person_id',
        'a.full_name as assignee_name',
        't.version',
      ])
      .where('t.organisation_id', '=', organisationId)
      .where('t.project_id', '=', projectId)
      .orderBy(sql`t.starts_on nulls last`)
      .orderBy('t.name')
      .orderBy('t.id')
      .execute(),
    tx
      .selectFrom('task_dependencies')
      .select(['id', 'predecessor_task_id', 'successor_task_id', 'dependency_type', 'lag_days'])
      .where('organisation_id', '=', organisationId)
      .where('project_id', '=', projectId)
      .orderBy('id')
      .execute(),
    tx
      .selectFrom('milestones')
      .select(['id', 'name', 'due_on', 'completed_on', 'version'])
      .select(sql<boolean>`completed_on is null and due_on < ${asOf}::date`.as('late'))
      .where('organisation_id', '=', organisationId)
      .where('project_id', '=', projectId)
      .orderBy('due_on')
      .orderBy('id')
      .execute(),
    burnByProject(tx, organisationId, [project]),
    projectTeam(tx, organisationId, projectId),
    latestBaseline(tx, organisationId, projectId),
  ])
  const burn = burns.get(projectId) as Burn
  const reasons = await healthReasons(tx, organisationId, asOf, [project], burns)

  return {
    ...toProjectJson(project),
    phases,
    tasks: tasks.map(({ role_name, assignee_name, ...t }) => ({
      ...t,
      role: t.role_id ? { id: t.role_id, name: role_name as string } : null,
      assignee: t.assignee_person_id
        ? { id: t.assignee_person_id, full_name: assignee_name as string }
        : null,
    })),
    dependencies,
    milestones,
    burn,
    health_reasons: reasons.get(projectId) ?? [],
    critical_path: criticalPath(tasks, dependencies),
    team,
    baseline,
  }
}

// The JSON shapes these queries answer (the routes declare them as response schemas).

export const ref = z.object({ id: uuidSchema, name: z.string() })
export const personRef = z.object({ id: uuidSchema, full_name: z.string() })

export const projectSchema = z
  .object({
    id: uuidSchema,
    organisation_id: uuidSchema,
    code: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    status: z.enum(PROJECT_STATUSES),
    health: z.enum(PROJECT_HEALTHS),
    billing_model: z.enum(['time_and_materials', 'fixed_fee', 'retainer']),
    budget_minor: moneySchema.nullable(),
    currency: z.string().length(3),
    starts_on: dateSchema,
    ends_on: dateSchema,
    win_probability_pct: decimalSchema.nullable(),
    rate_card_id: uuidSchema.nullable(),
    client: ref,
    manager: personRef.nullable(),
    version: z.number().int(),
    created_at: timestampSchema,
    updated_at: timestampSchema,
  })
  .meta({ id: 'Project' })

export const projectListItemSchema = projectSchema
  .extend({
    burn_pct: decimalSchema
      .nullable()
      .describe('Budget burn (booked time at the project’s rate card) / budget, in percent'),
    percent_complete: decimalSchema.nullable().describe('Estimate-weighted task completion'),
    health_reasons: z.array(healthReasonSchema).describe('Why the project is at risk; empty when nothing is'),
  })
  .meta({ id: 'ProjectListItem' })

export const projectDetailSchema = projectSchema
  .extend({
    phases: z.array(
      z.object({
        id: uuidSchema,
        name: z.string(),
        sequence: z.number().int(),
        starts_on: dateSchema.nullable(),
        ends_on: dateSchema.nullable(),
        version: z.number().int(),
      }),
    ),
    tasks: z.array(
      z.object({
        id: uuidSchema,
        phase_id: uuidSchema.nullable(),
        name: z.string(),
        role_id: uuidSchema.nullable(),
        role: ref.nullable(),
        estimate_hours: decimalSchema,
        starts_on: dateSchema.nullable(),
        ends_on: dateSchema.nullable(),
        status: z.enum(['not_started', 'in_progress', 'blocked', 'done']),
        percent_complete: decimalSchema,
        assignee_person_id: uuidSchema.nullable(),
        assignee: personRef.nullable(),
        version: z.number().int(),
      }),
    ),
    dependencies: z.array(
      z.object({
        id: uuidSchema,
        predecessor_task_id: uuidSchema,
        successor_task_id: uuidSchema,
        dependency_type: z.enum(['finish_to_start', 'start_to_start', 'finish_to_finish', 'start_to_finish']),
        lag_days: z.number().int(),
      }),
    ),
    milestones: z.array(
      z.object({
        id: uuidSchema,
        name: z.string(),
        due_on: dateSchema,
        completed_on: dateSchema.nullable(),
        late: z.boolean().describe('Open and past its due date'),
        version: z.number().int(),
      }),
    ),
    burn: burnSchema,
    health_reasons: z.array(healthReasonSchema).describe('Why the project is at risk; empty when nothing is'),
    critical_path: z
      .object({ task_ids: z.array(uuidSchema), finishes_on: dateSchema.nullable() })
      .describe('Tasks without slack against the plan’s finish (critical path method)'),
    team: z.array(teamMemberSchema).describe('People booked on the project'),
    baseline: baselineSchema.nullable().describe('The latest baseline, when one was taken'),
  })
  .meta({ id: 'ProjectDetail' })
