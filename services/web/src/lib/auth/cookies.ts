/** The development sign-in's access token (httpOnly: page scripts get it from /auth/session, never here). */
export const DEV_SESSION_COOKIE = 'psa_dev_session'
/** The organisation the user chose, for users in several. */
export const ORGANISATION_COOKIE = 'psa_org'

/** A same-site relative path to go to after signing in; anything else goes home. */
export function safeNext(value: string | null | undefined): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/'
  return value
}

/** The `exp` of a JWT, without verifying it (the gateway verifies; this only decides when to ask again). */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1]
  if (!payload) return undefined
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }
    return typeof claims.exp === 'number' ? claims.exp : undefined
  } catch {
    return undefined
  }
}
