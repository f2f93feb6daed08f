import type { NextRequest } from 'next/server'
import { DEV_SESSION_COOKIE, safeNext } from '../../../lib/auth/cookies'
import { redirectTo, signInWith } from '../../../lib/auth/redirect'
import { gatewayUrl, supabaseSettings } from '../../../lib/runtime-env'

/** Development sign-in: asks the gateway's dev token endpoint for a demo user's token, keeps it in a cookie. */
export async function POST(request: NextRequest) {
  const form = await request.formData()
  const email = String(form.get('email') ?? '')
  const next = safeNext(String(form.get('next') ?? '/'))
  const back = (error: string) => signInWith({ error }, next)
  if (supabaseSettings()) return back('Development sign-in is off: this site signs in with Supabase Auth.')
  let res: Response
  try {
    res = await fetch(`${gatewayUrl()}/api/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(email ? { email } : {}),
      signal: AbortSignal.timeout(10_000),
    })
  } catch {
    return back('The API gateway is not reachable, so nobody can sign in right now.')
  }
  const body = (await res.json().catch(() => ({}))) as {
    access_token?: string
    expires_in?: number
    error?: { message?: string }
  }
  if (!res.ok || !body.access_token) return back(body.error?.message ?? `Sign-in failed (HTTP ${res.status})`)
  const response = redirectTo(next)
  response.cookies.set(DEV_SESSION_COOKIE, body.access_token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    maxAge: body.expires_in ?? 3600,
    secure: request.nextUrl.protocol === 'https:',
  })
  return response
}
