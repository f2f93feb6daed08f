import type { Database } from '@psa/db'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import {
  getProject,
  listProjects,
  PROJECT_HEALTHS,
  PROJECT_STATUSES,
  projectDetailSchema,
  projectSchema,
} from '../domain/projects.js'
import { asMember, claimsOf } from '../domain/tenancy.js'
import {
  errorResponses,
  idParamsSchema,
  organisationHeadersSchema,
  pageSizeSchema,
  pageTokenSchema,
  uuidSchema,
} from '../schemas/common.js'
import { requestedOrganisation } from './call-context.js'
import { userOf } from './user.js'

export async function projectRoutes(app: FastifyInstance, { db }: { db: Database }) {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.get(
    '/api/projects',
    {
      schema: {
        tags: ['projects'],
        summary: "The organisation's projects, by name",
        headers: organisationHeadersSchema,
        querystring: z.object({
          status: z.enum(PROJECT_STATUSES).optional(),
          health: z.enum(PROJECT_HEALTHS).optional(),
          client_id: uuidSchema.optional(),
          q: z.string().trim().min(1).max(200).optional().describe('Matches name or code'),
          page_size: pageSizeSchema,
          page_token: pageTokenSchema,
          organisation_id: uuidSchema.optional(),
        }),
        response: {
          200: z.object({ projects: z.array(projectSchema), next_page_token: z.string().nullable() }),
          ...errorResponses(403, 404),
        },
      },
    },
    async (request) => {
      const q = request.query
      return asMember(db, userOf(request), requestedOrganisation(request), (tx, m) =>
        listProjects(tx, {
          organisationId: m.organisationId,
          status: q.status,
          health: q.health,
          clientId: q.client_id,
          q: q.q,
          pageSize: q.page_size,
          pageToken: q.page_token,
        }),
      )
    },
  )

  r.get(
    '/api/projects/:id',
    {
      schema: {
        tags: ['projects'],
        summary: 'A project with its plan and budget burn',
        params: idParamsSchema,
        response: { 200: projectDetailSchema, ...errorResponses(404) },
      },
    },
    async (request) => db.asUser(claimsOf(userOf(request)), (tx) => getProject(tx, request.params.id)),
  )
}
