import type { Database } from '@psa/db'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { dashboardSchema, getDashboard } from '../domain/dashboard.js'
import { getMe, meSchema } from '../domain/me.js'
import { asMember, claimsOf } from '../domain/tenancy.js'
import {
  asOfDate,
  asOfQuerySchema,
  errorResponses,
  organisationHeadersSchema,
  uuidSchema,
} from '../schemas/common.js'
import { requestedOrganisation } from './call-context.js'
import { userOf } from './user.js'

/** What the web app's shell and home page need: who is signed in, in which organisations, and the figures. */
export async function dashboardRoutes(app: FastifyInstance, { db }: { db: Database }) {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.get(
    '/api/me',
    {
      schema: {
        tags: ['organisations'],
        summary: 'The signed-in user and their organisations (role, currency, locale, time zone)',
        response: { 200: meSchema, ...errorResponses() },
      },
    },
    async (request) => {
      const user = userOf(request)
      return db.asUser(claimsOf(user), (tx) => getMe(tx, user))
    },
  )

  r.get(
    '/api/dashboard',
    {
      schema: {
        tags: ['organisations'],
        summary: "The organisation's dashboard: utilisation, revenue and margin, risks, requests, proposals",
        headers: organisationHeadersSchema,
        querystring: z.object({ organisation_id: uuidSchema.optional() }).extend(asOfQuerySchema.shape),
        response: { 200: dashboardSchema, ...errorResponses(403, 404) },
      },
    },
    async (request) =>
      asMember(db, userOf(request), requestedOrganisation(request), (tx, m) =>
        getDashboard(tx, m.organisationId, asOfDate(request.query.as_of)),
      ),
  )
}
