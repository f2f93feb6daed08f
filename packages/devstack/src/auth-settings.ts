import { parseEnv } from '@psa/config'
import { z } from 'zod'
import type { StackSettings } from './services.js'

export type AuthSettings = Pick<StackSettings, 'authDevMode' | 'supabase'> & { notes: string[] }

const schema = z.object({
  // Unset is not false here: it means "decide from SUPABASE_URL".
  AUTH_DEV_MODE: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes')),
  SUPABASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  SUPABASE_JWKS_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
})

/**
 * How `npm start` signs people in, from the user's own settings: with SUPABASE_URL (and no AUTH_DEV_MODE, or
 * AUTH_DEV_MODE=false) every service verifies that Supabase project's tokens; otherwise the gateway's local
 * development sign-in, turned on explicitly.
 */
export function authSettings(source: Record<string, string | undefined>): AuthSettings | { problem: string } {
  const env = parseEnv('npm start', schema, source)
  const devMode = env.AUTH_DEV_MODE ?? env.SUPABASE_URL === undefined
  if (devMode) {
    return {
      authDevMode: true,
      notes: env.SUPABASE_URL
        ? [
            'AUTH_DEV_MODE=true: signing in with local development tokens; SUPABASE_URL is not used (set AUTH_DEV_MODE=false to verify that project’s tokens).',
          ]
        : [],
    }
  }
  if (!env.SUPABASE_URL) {
    return {
      problem:
        'AUTH_DEV_MODE=false needs SUPABASE_URL (your Supabase project, e.g. https://<ref>.supabase.co), and for the web app NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY.',
    }
  }
  const supabaseUrl = env.SUPABASE_URL.replace(/\/+$/, '')
  return {
    authDevMode: false,
    supabase: { url: supabaseUrl, ...(env.SUPABASE_JWKS_URL ? { jwksUrl: env.SUPABASE_JWKS_URL } : {}) },
    notes: [`Signing in with Supabase Auth at ${supabaseUrl}: every service verifies that project’s tokens.`],
  }
}
