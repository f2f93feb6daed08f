import type { Database } from '@psa/db'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { getResource, listResources, resourceDetailSchema, resourceSchema } from '../domain/resources.js'
import { claimsOf } from '../domain/tenancy.js'
import { booleanQuerySchema, errorResponses, idParamsSchema, uuidSchema } from '../schemas/common.js'
import { pagedListRoute } from './paged-list.js'
import { userOf } from './user.js'

export async function resourceRoutes(app: FastifyInstance, { db }: { db: Database }) {
  const r = app.withTypeProvider<ZodTypeProvider>()

  pagedListRoute(app, db, {
    url: '/api/resources',
    tags: ['resources'],
    summary: "The organisation's people with role, skills and capacity",
    filters: {
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
    },
    key: 'resources',
    item: resourceSchema,
    list: (tx, { filters: f, ...page }) =>
      listResources(tx, {
        ...page,
        roleId: f.role_id,
        skillId: f.skill_id,
        minProficiency: f.min_proficiency,
        active: f.active,
        q: f.q,
      }),
  })

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
