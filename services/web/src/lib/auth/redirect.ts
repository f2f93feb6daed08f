import { NextResponse } from 'next/server'

/**
 * A redirect to a path on this site, as a relative Location: behind the custom server (and any ingress)
 * Next does not know the origin the browser used, so an absolute URL built from request.url can point at
 * the wrong host or port.
 */
export function redirectTo(path: string): NextResponse {
  return new NextResponse(null, { status: 303, headers: { location: path, 'cache-control': 'no-store' } })
}

/** Back to the sign-in page with a message (and where to go afterwards). */
export function signInWith(query: Record<string, string>, next: string): NextResponse {
  return redirectTo(`/sign-in?${new URLSearchParams({ ...query, next })}`)
}
