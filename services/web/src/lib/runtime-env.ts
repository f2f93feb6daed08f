// Read at request time, never at build time: Next inlines `process.env.NEXT_PUBLIC_*` written as member
// expressions into bundles, and one build must serve any deployment (dev sign-in or a Supabase project).
const read = (name: string): string | undefined => {
  const value = process.env[name]
  return value ? value : undefined
}

export interface SupabaseSettings {
  url: string
  publishableKey: string
}

/** Supabase Auth when the project's URL and publishable (anon) key are set; else development sign-in. */
export function supabaseSettings(): SupabaseSettings | undefined {
  const url = read('NEXT_PUBLIC_SUPABASE_URL')
  const publishableKey = read('NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY') ?? read('NEXT_PUBLIC_SUPABASE_ANON_KEY')
  return url && publishableKey ? { url: url.replace(/\/+$/, ''), publishableKey } : undefined
}

/** Where server-side code reaches the gateway (the browser always uses this site's own /api). */
export function gatewayUrl(): string {
  return (read('GATEWAY_URL') ?? 'http://127.0.0.1:8080').replace(/\/+$/, '')
}
