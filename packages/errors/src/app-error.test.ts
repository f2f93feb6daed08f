import { describe, expect, it } from 'vitest'
import { AppError, fromErrorBody, toAppError } from './app-error.js'
import { codeForGrpcStatus, ERROR_CODES } from './codes.js'

describe('AppError', () => {
  it('maps its code to HTTP and gRPC statuses and serialises to the API shape', () => {
    const err = new AppError('VERSION_CONFLICT', 'Project changed since you read it', {
      details: { version: 3 },
    })
    expect(err.httpStatus).toBe(409)
    expect(err.grpcStatus).toBe(10)
    expect(err.toBody()).toEqual({
      error: {
        code: 'VERSION_CONFLICT',
        message: 'Project changed since you read it',
        details: { version: 3 },
      },
    })
  })

  it('hides the text of unknown errors from callers', () => {
    const err = toAppError(new Error('password authentication failed for user "postgres"'))
    expect(err.code).toBe('INTERNAL')
    expect(err.message).not.toContain('password')
    expect((err.cause as Error).message).toContain('password')
  })

  it('round-trips through the wire shape and tolerates junk', () => {
    const original = new AppError('NOT_FOUND', 'Session not found')
    expect(fromErrorBody(original.toBody())).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Session not found',
    })
    expect(fromErrorBody({ error: { code: 'NOPE' } }).code).toBe('INTERNAL')
    expect(fromErrorBody(null, 'UNAVAILABLE').code).toBe('UNAVAILABLE')
  })

  it('every gRPC status we map back lands on a code with that same status', () => {
    for (const status of [1, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16]) {
      expect(ERROR_CODES[codeForGrpcStatus(status)].grpc).toBe(status)
    }
    expect(codeForGrpcStatus(2)).toBe('INTERNAL')
  })
})
