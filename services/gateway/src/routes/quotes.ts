import type { Database } from '@psa/db'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { getQuote, listQuotes, QUOTE_STATUSES, quoteDetailSchema, quoteSchema } from '../domain/quotes.js'
import { claimsOf } from '../domain/tenancy.js'
import { errorResponses, idParamsSchema, searchQuerySchema, uuidSchema } from '../schemas/common.js'
import { pagedListRoute } from './paged-list.js'
import { userOf } from './user.js'

export async function quoteRoutes(app: FastifyInstance, { db }: { db: Database }) {
  const r = app.withTypeProvider<ZodTypeProvider>()

  pagedListRoute(app, db, {
    url: '/api/quotes',
    tags: ['quotes'],
    summary: "The organisation's quotes, newest first, with the current version's totals",
    filters: {
      status: z.enum(QUOTE_STATUSES).optional(),
      client_id: uuidSchema.optional(),
      q: searchQuerySchema('Matches the title'),
    },
    key: 'quotes',
    item: quoteSchema,
    list: (tx, { filters: f, ...page }) =>
      listQuotes(tx, { ...page, status: f.status, clientId: f.client_id, q: f.q }),
  })

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
