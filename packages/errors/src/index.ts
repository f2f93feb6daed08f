export {
  AppError,
  type ErrorBody,
  type ErrorDetails,
  fromErrorBody,
  isAppError,
  notFound,
  toAppError,
} from './app-error.js'
export { codeForGrpcStatus, ERROR_CODES, type ErrorCode, isErrorCode } from './codes.js'
export { SESSION_ERROR_CODES, type SessionErrorCode } from './session-codes.js'
