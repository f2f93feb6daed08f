import { ERROR_CODES, type ErrorCode, isErrorCode } from './codes.js'

export type ErrorDetails = Record<string, unknown> | readonly unknown[]

/** The one JSON shape every API error takes: `{"error": {"code", "message", "details"}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: ErrorDetails }
}

/** An error whose message is safe to show the caller, with a stable code. */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly details: ErrorDetails | undefined

  constructor(code: ErrorCode, message: string, options: { details?: ErrorDetails; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.details = options.details
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http
  }

  get grpcStatus(): number {
    return ERROR_CODES[this.code].grpc
  }

  toBody(): ErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) },
    }
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError
}

/**
 * Turns anything thrown into an AppError. Unknown errors become INTERNAL with a generic message: their text
 * can hold SQL, hostnames or secrets and is for the logs, not the caller.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err
  if (err instanceof Error && err.name === 'AbortError') {
    return new AppError('CANCELLED', 'The operation was cancelled', { cause: err })
  }
  return new AppError('INTERNAL', 'An unexpected error occurred', { cause: err })
}

/** Rebuilds an AppError from an `ErrorBody`-shaped value received from another service. */
export function fromErrorBody(body: unknown, fallback: ErrorCode = 'INTERNAL'): AppError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error
  const code = isErrorCode(error?.code) ? error.code : fallback
  const message = typeof error?.message === 'string' ? error.message : 'An unexpected error occurred'
  const details = error?.details
  return new AppError(
    code,
    message,
    details && typeof details === 'object' ? { details: details as ErrorDetails } : {},
  )
}

export const notFound = (what: string, details?: ErrorDetails) =>
  new AppError('NOT_FOUND', `${what} not found`, details ? { details } : {})
