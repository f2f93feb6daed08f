/**
 * Every error a client can see carries one of these codes. They are API: clients branch on them, so a code
 * is never renamed or reused for a different meaning. Each maps to one HTTP status and one gRPC status.
 * gRPC status numbers are from https://grpc.github.io/grpc/core/md_doc_statuscodes.html (kept as numbers
 * so this package does not depend on a gRPC library).
 */
export const ERROR_CODES = {
  BAD_REQUEST: { http: 400, grpc: 3 },
  VALIDATION_FAILED: { http: 400, grpc: 3 },
  UNAUTHENTICATED: { http: 401, grpc: 16 },
  FORBIDDEN: { http: 403, grpc: 7 },
  // A request naming a user_id other than the verified token's subject: identity comes from the token only.
  USER_MISMATCH: { http: 403, grpc: 7 },
  NOT_FOUND: { http: 404, grpc: 5 },
  METHOD_NOT_ALLOWED: { http: 405, grpc: 12 },
  CONFLICT: { http: 409, grpc: 10 },
  VERSION_CONFLICT: { http: 409, grpc: 10 },
  ALREADY_EXISTS: { http: 409, grpc: 6 },
  INVALID_STATE: { http: 409, grpc: 9 },
  PAYLOAD_TOO_LARGE: { http: 413, grpc: 8 },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, grpc: 3 },
  RATE_LIMITED: { http: 429, grpc: 8 },
  TOO_MANY_IN_FLIGHT: { http: 429, grpc: 8 },
  // Open event streams (SSE or gRPC) per user are capped: each holds a listener and periodic reads.
  TOO_MANY_STREAMS: { http: 429, grpc: 8 },
  CANCELLED: { http: 499, grpc: 1 },
  INTERNAL: { http: 500, grpc: 13 },
  NOT_IMPLEMENTED: { http: 501, grpc: 12 },
  UNAVAILABLE: { http: 503, grpc: 14 },
  DEADLINE_EXCEEDED: { http: 504, grpc: 4 },
} as const satisfies Record<string, { http: number; grpc: number }>

export type ErrorCode = keyof typeof ERROR_CODES

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value)
}

/** The inverse of the gRPC column: the most specific code for a gRPC status a peer sent us. */
const GRPC_TO_CODE: Record<number, ErrorCode> = {
  1: 'CANCELLED',
  3: 'VALIDATION_FAILED',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'FORBIDDEN',
  8: 'RATE_LIMITED',
  9: 'INVALID_STATE',
  10: 'CONFLICT',
  12: 'NOT_IMPLEMENTED',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
}

export function codeForGrpcStatus(status: number): ErrorCode {
  return GRPC_TO_CODE[status] ?? 'INTERNAL'
}
