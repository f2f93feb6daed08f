import type { Database } from '@psa/db'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { capacityHeatmap, capacitySchema } from '../domain/capacity.js'
import { getResource, listResources, resourceDetailSchema, resourceSchema } from '../domain/resources.js'
import { asMember, claimsOf } from '../domain/tenancy.js'
import {
  asOfDate,
  asOfQuerySchema,
  booleanQuerySchema,
  dateSchema,
  errorResponses,
  idParamsSchema,
  organisationHeadersSchema,
  searchQuerySchema,
  uuidSchema,
} from '../schemas/common.js'
import { requestedOrganisation } from './call-context.js'
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
      q: searchQuerySchema('Matches the name'),
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
    '/api/resources/capacity',
    {
      schema: {
        tags: ['resources'],
        summary: 'Capacity heatmap: active people × weeks, with soft and hard bookings and over-allocation',
        headers: organisationHeadersSchema,
        querystring: z.object({
          from: dateSchema.optional().describe('A day in the first week (default: this week)'),
          weeks: z.coerce.number({ error: 'must be a number' }).int().min(1).max(26).default(12),
          role_id: uuidSchema.optional(),
          skill_id: uuidSchema.optional(),
          q: searchQuerySchema('Matches the name'),
          organisation_id: uuidSchema.optional(),
        }),
        response: { 200: capacitySchema, ...errorResponses(403, 404) },
      },
    },
    async (request) => {
      const q = request.query
      return asMember(db, userOf(request), requestedOrganisation(request), (tx, m) =>
        capacityHeatmap(tx, {
          organisationId: m.organisationId,
          from: asOfDate(q.from),
          weeks: q.weeks,
          roleId: q.role_id,
          skillId: q.skill_id,
          q: q.q,
        }),
      )
    },
  )

  r.get(
    '/api/resources/:id',
    {
      schema: {
        tags: ['resources'],
        summary: 'A person with skills, allocations, time off and weekly utilisation',
        params: idParamsSchema,
        querystring: asOfQuerySchema,
        response: { 200: resourceDetailSchema, ...errorResponses(404) },
      },
    },
    async (request) =>
      db.asUser(claimsOf(userOf(request)), (tx) =>
        getResource(tx, request.params.id, asOfDate(request.query.as_of)),
      ),
  )
}
