import type { DevTokenIssuer } from '@psa/auth'
import type { Database } from '@psa/db'
import { AppError } from '@psa/errors'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorResponses } from '../schemas/common.js'

/** The demo data's default user: an admin of the main organisation (Northwind Consulting). */
export const DEFAULT_DEV_USER_EMAIL = 'admin@northwind.example'

const tokenResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('bearer'),
    expires_in: z.number().int(),
    expires_at: z.number().int(),
    refresh_token: z.string(),
    user: z.object({ id: z.uuid(), email: z.string(), aud: z.string(), role: z.string() }).loose(),
  })
  .meta({ id: 'DevTokenResponse' })

/**
 * Local development mode only (never registered otherwise): the gateway plays Supabase Auth. It publishes the
 * JWKS of its local signing key where Supabase does, and signs in any existing user by e-mail, answering like
 * Supabase's token endpoint. Tokens are verified by the ordinary verifier through that JWKS.
 */
export async function devAuthRoutes(
  app: FastifyInstance,
  { issuer, db }: { issuer: DevTokenIssuer; db: Database },
) {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.get(
    '/auth/v1/.well-known/jwks.json',
    {
      config: { public: true, rateLimit: false },
      schema: {
        tags: ['dev'],
        summary: 'Public keys of the local development signing key (AUTH_DEV_MODE)',
        response: { 200: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300')
      return issuer.jwks() as { keys: Record<string, unknown>[] }
    },
  )

  r.get(
    '/api/dev/users',
    {
      config: { public: true },
      schema: {
        tags: ['dev'],
        summary: 'The users one can sign in as, with their organisations and roles (AUTH_DEV_MODE)',
        response: {
          200: z.object({
            users: z.array(
              z.object({
                email: z.string(),
                full_name: z.string().nullable(),
                organisation: z.string(),
                role: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      // Over the service's own connection, like the sign-in itself: nobody is signed in yet.
      const users = await db.sql<
        { email: string; full_name: string | null; organisation: string; role: string }[]
      >`
        select u.email, coalesce(u.raw_user_meta_data->>'full_name', p.full_name) as full_name,
          o.name as organisation, m.role::text as role
        from auth.users u
        join public.memberships m on m.user_id = u.id
        join public.organisations o on o.id = m.organisation_id
        left join public.people p on p.user_id = u.id and p.organisation_id = m.organisation_id
        where u.deleted_at is null
        order by o.name, array_position(array['owner','admin','manager','member','viewer'], m.role::text), u.email
        limit 50`
      return { users: [...users] }
    },
  )

  r.post(
    '/api/dev/token',
    {
      config: { public: true },
      schema: {
        tags: ['dev'],
        summary: 'Sign in as a demo user (AUTH_DEV_MODE)',
        description: `Mints a Supabase-shaped access token for an existing user. Empty body: ${DEFAULT_DEV_USER_EMAIL}.`,
        body: z
          .object({
            email: z
              .string()
              .trim()
              .toLowerCase()
              .pipe(z.email({ error: 'must be an e-mail address' }))
              .optional(),
          })
          .strict()
          .optional()
          .nullable(),
        response: { 200: tokenResponseSchema, ...errorResponses(404, 413, 415) },
      },
    },
    async (request) => {
      const email = request.body?.email ?? DEFAULT_DEV_USER_EMAIL
      // auth.users belongs to Supabase Auth, not to the API roles: read it over the service's own connection.
      const rows = await db.sql<
        {
          id: string
          email: string
          created_at: Date | null
          raw_app_meta_data: Record<string, unknown> | null
          raw_user_meta_data: Record<string, unknown> | null
        }[]
      >`select id, email, created_at, raw_app_meta_data, raw_user_meta_data
        from auth.users where lower(email) = ${email} and deleted_at is null limit 1`
      const user = rows[0]
      if (!user) {
        throw new AppError('NOT_FOUND', `No user with the e-mail ${email}`, {
          details: { email, hint: 'Load the demo data (npm run db:setup) or use one of its users' },
        })
      }
      const appMetadata = Object.fromEntries(
        Object.entries(user.raw_app_meta_data ?? {}).filter(([k]) => k !== 'provider' && k !== 'providers'),
      )
      return issuer.createSession({
        id: user.id,
        email: user.email,
        appMetadata,
        userMetadata: user.raw_user_meta_data ?? {},
        ...(user.created_at ? { createdAt: user.created_at } : {}),
      })
    },
  )
}
