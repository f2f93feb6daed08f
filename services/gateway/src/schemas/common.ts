import { ERROR_CODES, type ErrorCode } from '@psa/errors'
import { z } from 'zod'

const errorCodes = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]

/** `{"error":{"code","message","details"}}`: every error the API answers. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(errorCodes).describe('Stable machine-readable code'),
      message: z.string().describe('Human-readable explanation, safe to show'),
      details: z.unknown().optional().describe('Structured context (which field, which row, which limit)'),
    }),
  })
  .meta({ id: 'ErrorBody' })

type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 429 | 499 | 500 | 503 | 504

/** The error responses a route declares (so they appear in the OpenAPI document with the error shape). */
export function errorResponses(
  ...statuses: ErrorStatus[]
): Partial<Record<ErrorStatus, typeof errorBodySchema>> {
  const all: ErrorStatus[] = [400, 401, 429, 500, ...statuses]
  return Object.fromEntries(all.map((s) => [s, errorBodySchema]))
}

export const uuidSchema = z.uuid({ error: 'must be a UUID' })
export const idParamsSchema = z.object({ id: uuidSchema })

/** Dates are calendar dates (`YYYY-MM-DD`), instants are ISO 8601 with offset. */
export const dateSchema = z.iso.date()
export const timestampSchema = z.iso.datetime({ offset: true })

/** Money as a decimal string of minor units (bigint in Postgres; never a float). */
export const moneySchema = z
  .string()
  .regex(/^-?\d+$/)
  .describe('Amount in minor units (e.g. cents), as a string')
/** numeric values (hours, percentages) as decimal strings, exactly as stored. */
export const decimalSchema = z.string().regex(/^-?\d+(\.\d+)?$/)

export const pageSizeSchema = z.coerce
  .number({ error: 'must be a number' })
  .int()
  .min(1)
  .max(100)
  .default(25)
  .describe('Items per page (1-100)')
export const pageTokenSchema = z
  .string()
  .min(1)
  .max(512)
  .optional()
  .describe('next_page_token of the previous page')

/**
 * A free-text search parameter (`q`). Postgres text cannot hold U+0000, and other C0 controls never belong in
 * a search: refused here with a clear 400 instead of failing in the query.
 */
export const searchQuerySchema = (description: string) =>
  z
    .string()
    .trim()
    .min(1)
    .max(200)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    .refine((v) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v), {
      error: 'must not contain control characters',
    })
    .optional()
    .describe(description)

export const booleanQuerySchema = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')

/** The organisation to act in, for users who belong to several (default: their only or first one). */
export const organisationHeadersSchema = z.object({
  'x-organisation-id': uuidSchema
    .optional()
    .describe('Organisation to act in (users in several organisations)'),
})
export const organisationQuerySchema = z.object({
  organisation_id: uuidSchema
    .optional()
    .describe('Organisation to act in; same as the X-Organisation-Id header'),
})

/** `as_of`: the day "today" means for late milestones, burn risk and current bookings (tests pin it). */
export const asOfQuerySchema = z.object({
  as_of: dateSchema.optional().describe('Evaluate as of this day (default: today, UTC)'),
})

/** Today's date in UTC (`YYYY-MM-DD`), or the day a request pinned with `as_of`. */
export function asOfDate(asOf?: string): string {
  return asOf ?? new Date().toISOString().slice(0, 10)
}

export function iso(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString()
}
