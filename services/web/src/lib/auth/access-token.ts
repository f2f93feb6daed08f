import { cookies } from 'next/headers'
import { supabaseSettings } from '../runtime-env'
import { DEV_SESSION_COOKIE, ORGANISATION_COOKIE, tokenExpiry } from './cookies'
import { supabaseServerClient } from './supabase'

export interface ServerSession {
  accessToken: string
  /** Unix seconds. */
  expiresAt: number
}

/** The signed-in user's access token on the server (route handlers, server components), or null. */
export async function serverSession(): Promise<ServerSession | null> {
  const settings = supabaseSettings()
  if (settings) {
    const supabase = await supabaseServerClient(settings)
    const { data } = await supabase.auth.getSession()
    const session = data.session
    return session ? { accessToken: session.access_token, expiresAt: session.expires_at ?? 0 } : null
  }
  const token = (await cookies()).get(DEV_SESSION_COOKIE)?.value
  if (!token) return null
  const expiresAt = tokenExpiry(token) ?? 0
  return expiresAt * 1000 > Date.now() ? { accessToken: token, expiresAt } : null
}

export async function chosenOrganisation(): Promise<string | undefined> {
  return (await cookies()).get(ORGANISATION_COOKIE)?.value || undefined
}
