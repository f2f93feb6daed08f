import { status as GrpcStatus, Metadata, type ServiceError } from '@grpc/grpc-js'
import { AppError, codeForGrpcStatus, type ErrorDetails, isErrorCode } from '@psa/errors'
import type { SubmitError } from '@psa/proto'

/**
 * The orchestrator's error convention (services/orchestrator/src/grpc-errors.ts): the status message is safe
 * to show, trailing metadata `error-code` holds the stable code and `error-details-bin` the details as UTF-8
 * JSON. A status without that metadata comes from the transport (peer down, deadline), not from the
 * service, and gets a message of our own.
 */
export const ERROR_CODE_KEY = 'error-code'
export const ERROR_DETAILS_KEY = 'error-details-bin'

function detailsOf(err: Partial<ServiceError>): ErrorDetails | undefined {
  const raw = err.metadata?.get(ERROR_DETAILS_KEY)[0]
  if (raw === undefined) return undefined
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw).toString('utf8'))
    return parsed !== null && typeof parsed === 'object' ? (parsed as ErrorDetails) : undefined
  } catch {
    return undefined
  }
}

export function fromGrpcError(err: unknown): AppError {
  if (err instanceof AppError) return err
  const e = (err ?? {}) as Partial<ServiceError>
  const grpcCode = typeof e.code === 'number' ? e.code : GrpcStatus.UNKNOWN
  const declared = e.metadata?.get(ERROR_CODE_KEY)[0]
  if (isErrorCode(declared)) {
    const details = detailsOf(e)
    const message = e.details || 'The agent service refused the request'
    return new AppError(declared, declared === 'INTERNAL' ? 'An unexpected error occurred' : message, {
      ...(details === undefined ? {} : { details }),
      cause: err,
    })
  }
  switch (grpcCode) {
    case GrpcStatus.UNAVAILABLE:
      return new AppError('UNAVAILABLE', 'The agent service is unavailable; try again shortly', {
        cause: err,
      })
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new AppError('DEADLINE_EXCEEDED', 'The agent service did not answer in time', { cause: err })
    case GrpcStatus.CANCELLED:
      return new AppError('CANCELLED', 'The call to the agent service was cancelled', { cause: err })
    case GrpcStatus.RESOURCE_EXHAUSTED:
      return new AppError('UNAVAILABLE', 'The agent service is overloaded; try again shortly', { cause: err })
  }
  const code = codeForGrpcStatus(grpcCode)
  // Whatever else the peer said without our convention is not known to be safe to show.
  const message = code === 'INTERNAL' ? 'An unexpected error occurred' : e.details || 'The agent call failed'
  return new AppError(code, message, { cause: err })
}

/** A SubmitRequests item's failure: the status SubmitRequest would have failed with, mapped the same way. */
export function fromSubmitError(error: SubmitError): AppError {
  const metadata = new Metadata()
  if (error.code) metadata.set(ERROR_CODE_KEY, error.code)
  if (error.detailsJson.length > 0) metadata.set(ERROR_DETAILS_KEY, Buffer.from(error.detailsJson))
  return fromGrpcError({ code: error.grpcCode, details: error.message, metadata })
}
