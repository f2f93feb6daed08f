import { AppError } from '@psa/errors'
import { isAbortedTransactionError } from 'kysely'
import { isConnectionLoss } from './connection-loss.js'

interface PostgresErrorLike {
  code?: string
  constraint_name?: string
  table_name?: string
  column_name?: string
  detail?: string
}

/** Beyond a lost connection (connection-loss.ts), the ways of never getting one. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'CONNECT_TIMEOUT'])

/**
 * Turns a Postgres error into an AppError a caller can act on. Row-level security refusals become FORBIDDEN,
 * constraint violations VALIDATION_FAILED/ALREADY_EXISTS naming the constraint (not the SQL), lost
 * connections UNAVAILABLE. Anything else stays INTERNAL, its text kept as the cause for the logs only.
 */
export function mapDatabaseError(err: unknown): AppError {
  if (err instanceof AppError) return err
  if (isAbortedTransactionError(err)) {
    // A statement failed and the caller went on as if it had not (a bug): nothing was written. The first
    // failed statement, when one was seen, is the cause the logs show.
    return new AppError('INTERNAL', 'The transaction was rolled back because a statement in it failed', {
      cause: err.cause ?? err,
      details: { reason: 'transaction_aborted' },
    })
  }
  const pg = (err ?? {}) as PostgresErrorLike
  const where = pg.constraint_name
    ? { constraint: pg.constraint_name, table: pg.table_name }
    : { table: pg.table_name }
  switch (pg.code) {
    case '42501':
      return new AppError('FORBIDDEN', 'You are not allowed to do this', {
        cause: err,
        details: { table: pg.table_name },
      })
    case '23505':
      return new AppError('ALREADY_EXISTS', 'A record with these values already exists', {
        cause: err,
        details: where,
      })
    case '23503':
      return new AppError('VALIDATION_FAILED', 'A referenced record does not exist or is still in use', {
        cause: err,
        details: where,
      })
    case '23514':
    case '23P01':
      return new AppError('VALIDATION_FAILED', 'The values break a rule of this record', {
        cause: err,
        details: where,
      })
    case '23502':
      return new AppError(
        'VALIDATION_FAILED',
        `Missing required value${pg.column_name ? ` ${pg.column_name}` : ''}`,
        {
          cause: err,
          details: { ...where, column: pg.column_name },
        },
      )
    case '22P02':
    case '22021': // invalid byte sequence: U+0000 in text or jsonb
    case '22P05': // untranslatable character
    case '54001': // statement too complex (stack depth limit exceeded), e.g. a deeply nested jsonb value
    case '22007':
    case '22008':
    case '22003':
    case '22001':
      return new AppError('VALIDATION_FAILED', 'A value has the wrong format or is out of range', {
        cause: err,
      })
    case '40001':
    case '40P01':
      return new AppError('CONFLICT', 'The record was changed concurrently; try again', { cause: err })
    case '57014':
      return new AppError('DEADLINE_EXCEEDED', 'The database took too long to answer', { cause: err })
  }
  if (isConnectionLoss(err) || (pg.code && UNREACHABLE_CODES.has(pg.code))) {
    return new AppError('UNAVAILABLE', 'The database is unavailable; retry in a few seconds', {
      cause: err,
      details: { reason: 'database_unavailable' },
    })
  }
  return new AppError('INTERNAL', 'An unexpected error occurred', { cause: err })
}
