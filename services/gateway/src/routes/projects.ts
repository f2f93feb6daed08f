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
  projectListItemSchema,
} from '../domain/projects.js'
import { claimsOf } from '../domain/tenancy.js'
import {
  asOfDate,
  asOfQuerySchema,
  errorResponses,
  idParamsSchema,
  searchQuerySchema,
  uuidSchema,
} from '../schemas/common.js'
import { pagedListRoute } from './paged-list.js'
import { userOf } from './user.js'

export async function projectRoutes(app: FastifyInstance, { db }: { db: Database }) {
  const r = app.withTypeProvider<ZodTypeProvider>()

  pagedListRoute(app, db, {
    url: '/api/projects',
    tags: ['projects'],
    summary: "The organisation's projects, by name",
    filters: {
      status: z.enum(PROJECT_STATUSES).optional(),
      health: z.enum(PROJECT_HEALTHS).optional(),
      client_id: uuidSchema.optional(),
      q: searchQuerySchema('Matches name or code'),
      ...asOfQuerySchema.shape,
    },
    key: 'projects',
    item: projectListItemSchema,
    list: (tx, { filters: f, ...page }) =>
      listProjects(tx, {
        ...page,
        status: f.status,
        health: f.health,
        clientId: f.client_id,
        q: f.q,
        asOf: asOfDate(f.as_of),
      }),
  })

  r.get(
    '/api/projects/:id',
    {
      schema: {
        tags: ['projects'],
        summary: 'A project with its plan, critical path, team, baseline, budget burn and health',
        params: idParamsSchema,
        querystring: asOfQuerySchema,
        response: { 200: projectDetailSchema, ...errorResponses(404) },
      },
    },
    async (request) =>
      db.asUser(claimsOf(userOf(request)), (tx) =>
        getProject(tx, request.params.id, asOfDate(request.query.as_of)),
      ),
  )
}
