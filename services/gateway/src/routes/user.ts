import type { VerifiedUser } from '@psa/auth'
import { AppError } from '@psa/errors'
import type { FastifyRequest } from 'fastify'

/** The verified caller of a non-public route (the auth plugin has refused the request otherwise). */
export function userOf(request: FastifyRequest): VerifiedUser {
  if (!request.user) throw new AppError('UNAUTHENTICATED', 'An access token is required')
  return request.user
}
