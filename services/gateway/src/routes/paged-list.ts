import type { Database, Tx } from '@psa/db'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { asMember } from '../domain/tenancy.js'
import {
  errorResponses,
  organisationHeadersSchema,
  pageSizeSchema,
  pageTokenSchema,
  uuidSchema,
} from '../schemas/common.js'
import { requestedOrganisation } from './call-context.js'
import { userOf } from './user.js'

/** What a list query gets: the caller's organisation, the page, and the route's own filters. */
export interface PageRequest<Filters> {
  organisationId: string
  pageSize: number
  pageToken: string | undefined
  filters: Filters
}

export interface PagedListRoute<Key extends string, Item extends z.ZodType, Filters extends z.ZodRawShape> {
  url: string
  tags: string[]
  summary: string
  /** The route's own query parameters, before the page and organisation ones. */
  filters: Filters
  /** The answer's array property (`{ <key>: [...], next_page_token }`). */
  key: Key
  item: Item
  list(
    tx: Tx,
    page: PageRequest<z.infer<z.ZodObject<Filters>>>,
  ): Promise<Record<Key, z.infer<Item>[]> & { next_page_token: string | null }>
}

/**
 * A GET route listing one kind of the organisation's rows a page at a time, as the caller (RLS): the
 * organisation (X-Organisation-Id or organisation_id), `page_size` and `page_token`, the answer's shape and
 * its errors, declared the same way for every list.
 */
export function pagedListRoute<Key extends string, Item extends z.ZodType, Filters extends z.ZodRawShape>(
  app: FastifyInstance,
  db: Database,
  route: PagedListRoute<Key, Item, Filters>,
): void {
  const querystring = z.object({
    ...route.filters,
    page_size: pageSizeSchema,
    page_token: pageTokenSchema,
    organisation_id: uuidSchema.optional(),
  })
  const page = z.object({
    [route.key]: z.array(route.item),
    next_page_token: z.string().nullable(),
  }) as unknown as z.ZodType<Record<Key, z.infer<Item>[]> & { next_page_token: string | null }>
  app.withTypeProvider<ZodTypeProvider>().get(
    route.url,
    {
      schema: {
        tags: route.tags,
        summary: route.summary,
        headers: organisationHeadersSchema,
        querystring,
        response: { 200: page, ...errorResponses(403, 404) },
      },
    },
    async (request) => {
      // The generic filters hide the page parameters' types from the compiler; the schema fixed them.
      const {
        page_size,
        page_token,
        organisation_id: _,
        ...filters
      } = request.query as {
        page_size: number
        page_token?: string
        organisation_id?: string
      }
      return asMember(db, userOf(request), requestedOrganisation(request), (tx, m) =>
        route.list(tx, {
          organisationId: m.organisationId,
          pageSize: page_size,
          pageToken: page_token,
          filters: filters as z.infer<z.ZodObject<Filters>>,
        }),
      )
    },
  )
}
