import { z } from 'zod'

const namedEntity = z.object({
  id: z.string().min(1).optional(),
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).optional(),
})

/**
 * The structured context that travels with a request. The keys below are the ones the offline model and the
 * request parser read; any other keys (a user's `project_id`, a parent session's results...) pass through
 * untouched for playbooks and tools to use.
 */
export const requestContextSchema = z.looseObject({
  /** Reference date for relative dates ("next Monday"); the runtime sets it from the session, never a clock. */
  today: z.iso.date().optional(),
  /** Day/month order for numeric dates like 05/01/2027. Defaults to en-GB (day first). */
  locale: z.enum(['en-GB', 'en-US']).optional(),
  /** The organisation's currency; what "$" or a bare amount means when it is a dollar currency. */
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  /** Known names, matched fuzzily and case-insensitively in the request. */
  clients: z.array(namedEntity).optional(),
  projects: z.array(namedEntity.extend({ clientId: z.string().optional() })).optional(),
  people: z.array(namedEntity).optional(),
  quotes: z
    .array(
      z.object({
        id: z.string().min(1).optional(),
        reference: z.string().min(1),
        clientId: z.string().optional(),
        projectId: z.string().optional(),
      }),
    )
    .optional(),
  /** The organisation's role names (e.g. its rate card roles) and skill names. */
  roles: z.array(z.string().min(1)).optional(),
  skills: z.array(z.string().min(1)).optional(),
  /** What the user had selected when asking (e.g. the project page they were on). */
  clientId: z.string().min(1).optional(),
  projectId: z.string().min(1).optional(),
  quoteId: z.string().min(1).optional(),
  /** Whether the requesting user's role allows auto-applying proposals. */
  autoApplyAllowed: z.boolean().optional(),
})
export type RequestContext = z.infer<typeof requestContextSchema>
export type NamedEntity = z.infer<typeof namedEntity>
