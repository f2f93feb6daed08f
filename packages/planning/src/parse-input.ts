import { AppError } from '@psa/errors'
import type { z } from 'zod'

/** Validates a public input; a bad one is a VALIDATION_FAILED AppError listing zod's issues. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
  throw new AppError(
    'VALIDATION_FAILED',
    `invalid ${what}: ${issues
      .slice(0, 3)
      .map((i) => `${i.path || '(root)'}: ${i.message}`)
      .join('; ')}`,
    { details: issues },
  )
}
