import { AppError } from '@psa/errors'
import { z } from 'zod'

/**
 * Keyset page tokens: the sort key of the last row of a page, as base64url JSON. Opaque to clients, checked
 * on the way back in (a tampered or stale token is a 400, never a SQL error).
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url')
}

const cursorSchema = z
  .array(z.union([z.string().max(1000), z.number()]))
  .min(1)
  .max(4)

export function decodeCursor<T>(token: string | undefined, shape: z.ZodType<T>): T | undefined {
  if (token === undefined) return undefined
  let raw: unknown
  try {
    raw = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
  } catch {
    raw = undefined
  }
  const generic = cursorSchema.safeParse(raw)
  const parsed = generic.success ? shape.safeParse(generic.data) : generic
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', 'page_token is not a token this API issued', {
      details: { issues: [{ location: 'querystring', path: 'page_token', message: 'is invalid' }] },
    })
  }
  return parsed.data as T
}

/** Splits a page fetched with limit pageSize + 1 into the page and the next token. */
export function pageOf<T>(
  rows: T[],
  pageSize: number,
  keyOf: (row: T) => readonly (string | number)[],
): { items: T[]; next_page_token: string | null } {
  const items = rows.slice(0, pageSize)
  const last = items.at(-1)
  return {
    items,
    next_page_token: rows.length > pageSize && last !== undefined ? encodeCursor(keyOf(last)) : null,
  }
}
