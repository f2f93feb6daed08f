import type { EmailOtpType } from '@supabase/supabase-js'
import type { NextRequest } from 'next/server'
import { safeNext } from '../../../lib/auth/cookies'
import { redirectTo, signInWith } from '../../../lib/auth/redirect'
import { supabaseServerClient } from '../../../lib/auth/supabase'
import { supabaseSettings } from '../../../lib/runtime-env'

/** Where a magic link lands: a PKCE `code`, or a `token_hash` from Supabase's SSR e-mail template. */
export async function GET(request: NextRequest) {
  const params = request.nextUrl.searchParams
  const next = safeNext(params.get('next'))
  const settings = supabaseSettings()
  const fail = (message: string) => signInWith({ error: message }, next)
  if (!settings) return fail('Supabase Auth is not configured here.')
  const supabase = await supabaseServerClient(settings)
  const code = params.get('code')
  const tokenHash = params.get('token_hash')
  const { error } = code
    ? await supabase.auth.exchangeCodeForSession(code)
    : tokenHash
      ? await supabase.auth.verifyOtp({
          token_hash: tokenHash,
          type: (params.get('type') ?? 'email') as EmailOtpType,
        })
      : { error: new Error('The sign-in link is incomplete') }
  if (error) return fail(`The sign-in link did not work: ${error.message}`)
  return redirectTo(next)
}
