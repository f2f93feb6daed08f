import { AppError } from '@psa/errors'
import { describe, expect, it } from 'vitest'
import { AUTH_FAILURE_REASONS, authFailure, authFailureReason, bearerChallenge } from './reasons.js'

describe('auth failure reasons', () => {
  it('are 401 / gRPC UNAUTHENTICATED, except jwks_unavailable which is 503 / gRPC UNAVAILABLE', () => {
    for (const reason of AUTH_FAILURE_REASONS) {
      const err = authFailure(reason, 'm')
      expect(authFailureReason(err)).toBe(reason)
      expect([err.code, err.httpStatus, err.grpcStatus]).toEqual(
        reason === 'jwks_unavailable' ? ['UNAVAILABLE', 503, 14] : ['UNAUTHENTICATED', 401, 16],
      )
      expect(err.toBody()).toEqual({ error: { code: err.code, message: 'm', details: { reason } } })
    }
  })

  it('are recognised only on errors this package made', () => {
    expect(authFailureReason(new AppError('UNAUTHENTICATED', 'x', { details: { reason: 'whatever' } }))).toBe(
      undefined,
    )
    expect(authFailureReason(new Error('token_expired'))).toBeUndefined()
    expect(authFailureReason(new AppError('FORBIDDEN', 'x'))).toBeUndefined()
  })

  it('give RFC 6750 challenges for 401s', () => {
    expect(bearerChallenge(authFailure('missing_token', 'An access token is required'))).toBe('Bearer')
    expect(bearerChallenge(authFailure('token_expired', 'The access token has expired'))).toBe(
      'Bearer error="invalid_token", error_description="The access token has expired"',
    )
    expect(bearerChallenge(authFailure('invalid_authorization_header', 'Use "Bearer <token>"'))).toBe(
      `Bearer error="invalid_request", error_description="Use 'Bearer <token>'"`,
    )
    expect(bearerChallenge(authFailure('jwks_unavailable', 'later'))).toBeUndefined()
    expect(bearerChallenge(new Error('x'))).toBeUndefined()
  })
})
