import type { Database } from '@psa/db'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { clientDetailSchema, clientSchema, getClient, listClients } from '../domain/clients.js'
import { claimsOf } from '../domain/tenancy.js'
import { errorResponses, idParamsSchema, searchQuerySchema } from '../schemas/common.js'
import { pagedListRoute } from './paged-list.js'
import { userOf } from './user.js'

export async function clientRoutes(app: FastifyInstance, { db }: { db: Database }) {
  const r = app.withTypeProvider<ZodTypeProvider>()

  pagedListRoute(app, db, {
    url: '/api/clients',
    tags: ['clients'],
    summary: "The organisation's clients, by name",
    filters: { q: searchQuerySchema('Matches the name') },
    key: 'clients',
    item: clientSchema,
    list: (tx, { filters, ...page }) => listClients(tx, { ...page, q: filters.q }),
  })

  r.get(
    '/api/clients/:id',
    {
      schema: {
        tags: ['clients'],
        summary: 'A client with its projects and quotes',
        params: idParamsSchema,
        response: { 200: clientDetailSchema, ...errorResponses(404) },
      },
    },
    async (request) => db.asUser(claimsOf(userOf(request)), (tx) => getClient(tx, request.params.id)),
  )
}
