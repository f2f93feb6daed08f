import { createServerClient } from '@supabase/ssr'
import { type NextRequest, NextResponse } from 'next/server'
import { DEV_SESSION_COOKIE, tokenExpiry } from './lib/auth/cookies'
import { supabaseSettings } from './lib/runtime-env'

/**
 * Protected routes: every page but the sign-in and the auth endpoints needs a session. With Supabase Auth
 * this is also where an expiring session is refreshed (its cookies rewritten), as @supabase/ssr intends.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const settings = supabaseSettings()
  let response = NextResponse.next({ request })
  let signedIn: boolean
  if (settings) {
    const supabase = createServerClient(settings.url, settings.publishableKey, {
      cookies: {
        getAll: () => request.cookies.getAll(),
        setAll: (list) => {
          for (const { name, value } of list) request.cookies.set(name, value)
          response = NextResponse.next({ request })
          for (const { name, value, options } of list)
            response.cookies.set(name, value, { ...options, httpOnly: true })
        },
      },
    })
    const { data } = await supabase.auth.getClaims()
    signedIn = Boolean(data?.claims)
  } else {
    const token = request.cookies.get(DEV_SESSION_COOKIE)?.value
    signedIn = Boolean(token && (tokenExpiry(token) ?? 0) * 1000 > Date.now())
  }
  if (signedIn) return response
  // Next needs an absolute URL here; nextUrl carries the origin the browser used (route handlers do not).
  const url = request.nextUrl.clone()
  url.pathname = '/sign-in'
  url.search = `?next=${encodeURIComponent(`${request.nextUrl.pathname}${request.nextUrl.search}`)}`
  return NextResponse.redirect(url)
}

export const config = {
  // Not the sign-in, the auth endpoints or static assets (/api, /healthz and friends never reach Next).
  matcher: ['/((?!sign-in|auth/|_next/|favicon.ico|robots.txt).*)'],
}
