import { createServerClient } from '@supabase/ssr'
import type { SupabaseClient } from '@supabase/supabase-js'
import { cookies } from 'next/headers'
import type { SupabaseSettings } from '../runtime-env'

/**
 * Supabase Auth on the server, its session in cookies (@supabase/ssr). Everything that talks to Supabase
 * runs here, so the browser only ever talks to this site. In a server component cookies cannot be set:
 * refreshed tokens are written by the proxy and the route handlers instead.
 */
export async function supabaseServerClient(settings: SupabaseSettings): Promise<SupabaseClient> {
  const store = await cookies()
  return createServerClient(settings.url, settings.publishableKey, {
    cookies: {
      getAll: () => store.getAll(),
      setAll: (list) => {
        try {
          for (const { name, value, options } of list) store.set(name, value, { ...options, httpOnly: true })
        } catch {
          // Called from a server component: the proxy keeps the session fresh.
        }
      },
    },
  })
}
