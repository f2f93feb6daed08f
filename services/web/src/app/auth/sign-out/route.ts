import { DEV_SESSION_COOKIE } from '../../../lib/auth/cookies'
import { redirectTo } from '../../../lib/auth/redirect'
import { supabaseServerClient } from '../../../lib/auth/supabase'
import { supabaseSettings } from '../../../lib/runtime-env'

export async function POST() {
  const settings = supabaseSettings()
  if (settings) await (await supabaseServerClient(settings)).auth.signOut()
  const response = redirectTo('/sign-in?signed_out=1')
  response.cookies.delete(DEV_SESSION_COOKIE)
  return response
}
