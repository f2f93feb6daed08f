import type { Database } from '@psa/db'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { getResource, listResources, resourceDetailSchema, resourceSchema } from '../domain/resources.js'
import { asMember, claimsOf } from '../domain/tenancy.js'
import {
  booleanQuerySchema,
  errorResponses,
  idParamsSchema,
  organisationHeadersSchema,
  pageSizeSchema,
  pageTokenSchema,
  uuidSchema,
} from '../schemas/common.js'
import { requestedOrganisation } from './call-context.js'
import { userOf } from './user.js'

export async function resourceRoutes(app: FastifyInstance, { db }: { db: Database }) {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.get(
    '/api/resources',
    {
      schema: {
        tags: ['resources'],
        summary: "The organisation's people with role, skills and capacity",
        headers: organisationHeadersSchema,
        querystring: z.object({
          role_id: uuidSchema.optional(),
          skill_id: uuidSchema.optional(),
          min_proficiency: z.coerce
            .number({ error: 'must be a number' })
            .int()
            .min(1)
            .max(5)
            .optional()
            .describe('With skill_id: at least this proficiency (1..5)'),
          active: booleanQuerySchema.optional(),
          q: z.string().trim().min(1).max(200).optional().describe('Matches the name'),
          page_size: pageSizeSchema,
          page_token: pageTokenSchema,
          organisation_id: uuidSchema.optional(),
        }),
        response: {
          200: z.object({ resources: z.array(resourceSchema), next_page_token: z.string().nullable() }),
          ...errorResponses(403, 404),
        },
      },
    },
    async (request) => {
      const q = request.query
      return asMember(db, userOf(request), requestedOrganisation(request), (tx, m) =>
        listResources(tx, {
          organisationId: m.organisationId,
          roleId: q.role_id,
          skillId: q.skill_id,
          minProficiency: q.min_proficiency,
          active: q.active,
          q: q.q,
          pageSize: q.page_size,
          pageToken: q.page_token,
        }),
      )
    },
  )

  r.get(
    '/api/resources/:id',
    {
      schema: {
        tags: ['resources'],
        summary: 'A person with skills, allocations and time off',
        params: idParamsSchema,
        response: { 200: resourceDetailSchema, ...errorResponses(404) },
      },
    },
    async (request) => db.asUser(claimsOf(userOf(request)), (tx) => getResource(tx, request.params.id)),
  )
}
