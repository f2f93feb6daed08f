import { NextResponse } from 'next/server'
import { serverSession } from '../../../lib/auth/access-token'

export const dynamic = 'force-dynamic'

/** The signed-in user's access token for this site's /api calls (the session itself stays in cookies). */
export async function GET() {
  const session = await serverSession()
  if (!session) {
    return NextResponse.json(
      { error: { code: 'UNAUTHENTICATED', message: 'Not signed in' } },
      { status: 401, headers: { 'cache-control': 'no-store' } },
    )
  }
  return NextResponse.json(
    { access_token: session.accessToken, expires_at: session.expiresAt },
    { headers: { 'cache-control': 'no-store' } },
  )
}
