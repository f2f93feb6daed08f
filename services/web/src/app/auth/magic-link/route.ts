import type { NextRequest } from 'next/server'
import { safeNext } from '../../../lib/auth/cookies'
import { signInWith } from '../../../lib/auth/redirect'
import { supabaseServerClient } from '../../../lib/auth/supabase'
import { supabaseSettings } from '../../../lib/runtime-env'

/** Supabase Auth: e-mails a sign-in link that comes back to /auth/callback on this site. */
export async function POST(request: NextRequest) {
  const form = await request.formData()
  const next = safeNext(String(form.get('next') ?? '/'))
  const email = String(form.get('email') ?? '')
  const settings = supabaseSettings()
  if (!settings) return signInWith({ error: 'Supabase Auth is not configured here.' }, next)
  const supabase = await supabaseServerClient(settings)
  // The link comes back to the origin the browser used (what the browser sent, not what Next was told).
  const callback = new URL('/auth/callback', request.headers.get('origin') ?? request.nextUrl.origin)
  callback.searchParams.set('next', next)
  const { error } = await supabase.auth.signInWithOtp({
    email,
    options: { emailRedirectTo: callback.toString(), shouldCreateUser: false },
  })
  if (error) return signInWith({ error: error.message }, next)
  return signInWith({ sent: email }, next)
}
