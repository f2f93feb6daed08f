import { Metadata, type ServiceError, status } from '@grpc/grpc-js'
import { AppError, codeForGrpcStatus, isErrorCode, toAppError } from '@psa/errors'
import type { SubmitError } from '@psa/proto'

/**
 * The error convention of this service (documented in README.md; the gateway maps it back to
 * `{"error":{"code","message","details"}}`):
 * - the gRPC status code is the AppError code's gRPC status (`@psa/errors`),
 * - the status message is the AppError message (safe to show to the caller),
 * - trailing metadata `error-code` holds the stable code (e.g. `TOO_MANY_IN_FLIGHT`),
 * - trailing metadata `error-details-bin` holds the details as UTF-8 JSON, when there are any.
 */
export const ERROR_CODE_KEY = 'error-code'
export const ERROR_DETAILS_KEY = 'error-details-bin'

export type GrpcStatusError = Partial<ServiceError> & { code: status; details: string; metadata: Metadata }

export function toGrpcError(err: unknown): { error: GrpcStatusError; appError: AppError } {
  const appError = toAppError(err)
  const metadata = new Metadata()
  metadata.set(ERROR_CODE_KEY, appError.code)
  if (appError.details !== undefined) {
    metadata.set(ERROR_DETAILS_KEY, Buffer.from(JSON.stringify(appError.details), 'utf8'))
  }
  const error: GrpcStatusError = {
    name: 'AppError',
    message: appError.message,
    code: appError.grpcStatus as status,
    details: appError.message,
    metadata,
  }
  return { error, appError }
}

/** A batch item's failure (SubmitRequests) as the status SubmitRequest would have failed with carries it. */
export function toSubmitError(error: GrpcStatusError): SubmitError {
  const details = error.metadata.get(ERROR_DETAILS_KEY)[0]
  return {
    grpcCode: error.code,
    message: error.details,
    code: String(error.metadata.get(ERROR_CODE_KEY)[0] ?? ''),
    detailsJson: details === undefined ? Buffer.alloc(0) : Buffer.from(details),
  }
}

/** The inverse, for this service's own tests and for Node clients: rebuilds the AppError a call failed with. */
export function fromGrpcError(err: Pick<ServiceError, 'code' | 'details' | 'metadata'>): AppError {
  const code = err.metadata?.get(ERROR_CODE_KEY)[0]
  const raw = err.metadata?.get(ERROR_DETAILS_KEY)[0]
  const details = raw === undefined ? undefined : JSON.parse(Buffer.from(raw).toString('utf8'))
  return new AppError(
    isErrorCode(code) ? code : codeForGrpcStatus(err.code),
    err.details,
    details === undefined ? {} : { details },
  )
}

/** The inverse of `toSubmitError`, likewise: the AppError a SubmitRequests item failed with. */
export function fromSubmitError(error: SubmitError): AppError {
  const metadata = new Metadata()
  if (error.code) metadata.set(ERROR_CODE_KEY, error.code)
  if (error.detailsJson.length > 0) metadata.set(ERROR_DETAILS_KEY, Buffer.from(error.detailsJson))
  return fromGrpcError({ code: error.grpcCode, details: error.message, metadata })
}

/** gRPC status name for metric labels (`OK`, `INVALID_ARGUMENT`, ...). */
export function statusName(code: number): string {
  return status[code] ?? String(code)
}
