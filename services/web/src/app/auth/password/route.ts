import type { NextRequest } from 'next/server'
import { safeNext } from '../../../lib/auth/cookies'
import { redirectTo, signInWith } from '../../../lib/auth/redirect'
import { supabaseServerClient } from '../../../lib/auth/supabase'
import { supabaseSettings } from '../../../lib/runtime-env'

/** Supabase Auth: e-mail and password, signed in on the server (the session lands in cookies). */
export async function POST(request: NextRequest) {
  const form = await request.formData()
  const next = safeNext(String(form.get('next') ?? '/'))
  const settings = supabaseSettings()
  const back = (error: string) => signInWith({ error }, next)
  if (!settings) return back('Supabase Auth is not configured here.')
  const supabase = await supabaseServerClient(settings)
  const { error } = await supabase.auth.signInWithPassword({
    email: String(form.get('email') ?? ''),
    password: String(form.get('password') ?? ''),
  })
  if (error) return back(error.message)
  return redirectTo(next)
}
