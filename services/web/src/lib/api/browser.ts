'use client'

import { ApiError, apiRequest, type RequestOptions } from './http'

interface CachedToken {
  token: string
  expiresAt: number
}

let cached: CachedToken | undefined
let pending: Promise<CachedToken | null> | undefined
let organisationId: string | undefined

/** The organisation the API calls act in (the shell sets it from the signed-in user's choice). */
export function setOrganisation(id: string | undefined): void {
  organisationId = id
}

/**
 * The access token for API calls, from this site's /auth/session (the server holds the session in httpOnly
 * cookies and refreshes it). Cached until a minute before it expires.
 */
export async function accessToken(force = false): Promise<string | null> {
  if (!force && cached && cached.expiresAt * 1000 - 60_000 > Date.now()) return cached.token
  pending ??= fetch('/auth/session', { cache: 'no-store', headers: { accept: 'application/json' } })
    .then(async (res) => {
      if (!res.ok) return null
      const body = (await res.json()) as { access_token: string; expires_at: number }
      return { token: body.access_token, expiresAt: body.expires_at }
    })
    .catch(() => null)
    .finally(() => {
      pending = undefined
    })
  const next = await pending
  cached = next ?? undefined
  return next?.token ?? null
}

function signInAgain(): void {
  const next = `${window.location.pathname}${window.location.search}`
  window.location.assign(`/sign-in?next=${encodeURIComponent(next)}`)
}

/** A call to this site's /api (forwarded to the gateway) as the signed-in user; 401 once retries the token. */
export async function api<T>(path: string, options: Omit<RequestOptions, 'token'> = {}): Promise<T> {
  const call = async (force: boolean) =>
    apiRequest<T>('', path, { organisationId, ...options, token: await accessToken(force) })
  try {
    return await call(false)
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err
    try {
      return await call(true)
    } catch (again) {
      if (again instanceof ApiError && again.status === 401) signInAgain()
      throw again
    }
  }
}
