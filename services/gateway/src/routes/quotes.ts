import type { Database } from '@psa/db'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { getQuote, listQuotes, QUOTE_STATUSES, quoteDetailSchema, quoteSchema } from '../domain/quotes.js'
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

export async function quoteRoutes(app: FastifyInstance, { db }: { db: Database }) {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.get(
    '/api/quotes',
    {
      schema: {
        tags: ['quotes'],
        summary: "The organisation's quotes, newest first, with the current version's totals",
        headers: organisationHeadersSchema,
        querystring: z.object({
          status: z.enum(QUOTE_STATUSES).optional(),
          client_id: uuidSchema.optional(),
          q: z.string().trim().min(1).max(200).optional().describe('Matches the title'),
          page_size: pageSizeSchema,
          page_token: pageTokenSchema,
          organisation_id: uuidSchema.optional(),
        }),
        response: {
          200: z.object({ quotes: z.array(quoteSchema), next_page_token: z.string().nullable() }),
          ...errorResponses(403, 404),
        },
      },
    },
    async (request) => {
      const q = request.query
      return asMember(db, userOf(request), requestedOrganisation(request), (tx, m) =>
        listQuotes(tx, {
          organisationId: m.organisationId,
          status: q.status,
          clientId: q.client_id,
          q: q.q,
          pageSize: q.page_size,
          pageToken: q.page_token,
        }),
      )
    },
  )

  r.get(
    '/api/quotes/:id',
    {
      schema: {
        tags: ['quotes'],
        summary: 'A quote with its versions and their lines',
        params: idParamsSchema,
        response: { 200: quoteDetailSchema, ...errorResponses(404) },
      },
    },
    async (request) => db.asUser(claimsOf(userOf(request)), (tx) => getQuote(tx, request.params.id)),
  )
}
