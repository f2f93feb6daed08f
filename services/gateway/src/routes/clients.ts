import type { Database } from '@psa/db'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { clientDetailSchema, clientSchema, getClient, listClients } from '../domain/clients.js'
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

export async function clientRoutes(app: FastifyInstance, { db }: { db: Database }) {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.get(
    '/api/clients',
    {
      schema: {
        tags: ['clients'],
        summary: "The organisation's clients, by name",
        headers: organisationHeadersSchema,
        querystring: z.object({
          q: z.string().trim().min(1).max(200).optional().describe('Matches the name'),
          page_size: pageSizeSchema,
          page_token: pageTokenSchema,
          organisation_id: uuidSchema.optional(),
        }),
        response: {
          200: z.object({ clients: z.array(clientSchema), next_page_token: z.string().nullable() }),
          ...errorResponses(403, 404),
        },
      },
    },
    async (request) => {
      const q = request.query
      return asMember(db, userOf(request), requestedOrganisation(request), (tx, m) =>
        listClients(tx, {
          organisationId: m.organisationId,
          q: q.q,
          pageSize: q.page_size,
          pageToken: q.page_token,
        }),
      )
    },
  )

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
