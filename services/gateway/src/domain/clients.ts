import { sql, type Tx } from '@psa/db'
import { AppError } from '@psa/errors'
import { z } from 'zod'
import { dateSchema, timestampSchema, uuidSchema } from '../schemas/common.js'
import { decodeCursor, pageOf } from './cursor.js'
import { likePattern, PROJECT_HEALTHS, PROJECT_STATUSES } from './projects.js'
import { QUOTE_STATUSES } from './quotes.js'

const clientCursor = z.tuple([z.string(), z.uuid()])

function clientColumns(tx: Tx) {
  return tx
    .selectFrom('clients as c')
    .select([
      'c.id',
      'c.organisation_id',
      'c.name',
      'c.industry',
      'c.default_rate_card_id',
      'c.version',
      'c.created_at',
    ])
    .select([
      sql<number>`(select count(*) from public.projects p where p.organisation_id = c.organisation_id and p.client_id = c.id)::int`.as(
        'project_count',
      ),
      sql<number>`(select count(*) from public.projects p where p.organisation_id = c.organisation_id and p.client_id = c.id and p.status = 'active')::int`.as(
        'active_project_count',
      ),
      sql<number>`(select count(*) from public.quotes q where q.organisation_id = c.organisation_id and q.client_id = c.id)::int`.as(
        'quote_count',
      ),
    ])
}

type ClientRow = Awaited<ReturnType<ReturnType<typeof clientColumns>['executeTakeFirstOrThrow']>>

function toClientJson(c: ClientRow): z.infer<typeof clientSchema> {
  return { ...c, created_at: c.created_at.toISOString() }
}

export async function listClients(
  tx: Tx,
  f: { organisationId: string; q?: string | undefined; pageSize: number; pageToken?: string | undefined },
): Promise<{ clients: z.infer<typeof clientSchema>[]; next_page_token: string | null }> {
  const after = decodeCursor(f.pageToken, clientCursor)
  const rows = await clientColumns(tx)
    .where('c.organisation_id', '=', f.organisationId)
    .$if(Boolean(f.q), (b) => b.where('c.name', 'ilike', likePattern(f.q as string)))
    .$if(after !== undefined, (b) =>
      b.where((eb) =>
        eb(eb.refTuple('c.name', 'c.id'), '>', eb.tuple(after?.[0] as string, after?.[1] as string)),
      ),
    )
    .orderBy('c.name')
    .orderBy('c.id')
    .limit(f.pageSize + 1)
    .execute()
  const page = pageOf(rows, f.pageSize, (r) => [r.name, r.id])
  return { clients: page.items.map(toClientJson), next_page_token: page.next_page_token }
}

export async function getClient(tx: Tx, clientId: string): Promise<z.infer<typeof clientDetailSchema>> {
  const client = await clientColumns(tx).where('c.id', '=', clientId).executeTakeFirst()
  if (!client) throw new AppError('NOT_FOUND', 'Client not found', { details: { client_id: clientId } })
  const projects = await tx
    .selectFrom('projects')
    .select(['id', 'code', 'name', 'status', 'health', 'starts_on', 'ends_on'])
    .where('organisation_id', '=', client.organisation_id)
    .where('client_id', '=', clientId)
    .orderBy('starts_on', 'desc')
    .orderBy('id')
    .execute()
  const quotes = await tx
    .selectFrom('quotes')
    .select(['id', 'title', 'status', 'current_version', 'valid_until'])
    .where('organisation_id', '=', client.organisation_id)
    .where('client_id', '=', clientId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute()
  return { ...toClientJson(client), projects, quotes }
}

// The JSON shapes these queries answer (the routes declare them as response schemas).
export const clientSchema = z
  .object({
    id: uuidSchema,
    organisation_id: uuidSchema,
    name: z.string(),
    industry: z.string().nullable(),
    default_rate_card_id: uuidSchema.nullable(),
    project_count: z.number().int(),
    active_project_count: z.number().int(),
    quote_count: z.number().int(),
    version: z.number().int(),
    created_at: timestampSchema,
  })
  .meta({ id: 'Client' })

export const clientDetailSchema = clientSchema
  .extend({
    projects: z.array(
      z.object({
        id: uuidSchema,
        code: z.string(),
        name: z.string(),
        status: z.enum(PROJECT_STATUSES),
        health: z.enum(PROJECT_HEALTHS),
        starts_on: dateSchema,
        ends_on: dateSchema,
      }),
    ),
    quotes: z.array(
      z.object({
        id: uuidSchema,
        title: z.string(),
        status: z.enum(QUOTE_STATUSES),
        current_version: z.number().int(),
        valid_until: dateSchema.nullable(),
      }),
    ),
  })
  .meta({ id: 'ClientDetail' })
