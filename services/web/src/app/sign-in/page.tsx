import type { Metadata } from 'next'
import { redirect } from 'next/navigation'
import { Button } from '../../components/ui/button'
import { serverSession } from '../../lib/auth/access-token'
import { safeNext } from '../../lib/auth/cookies'
import { gatewayUrl, supabaseSettings } from '../../lib/runtime-env'
import styles from './sign-in.module.css'

export const metadata: Metadata = { title: 'Sign in' }
export const dynamic = 'force-dynamic'

interface DevUser {
  email: string
  full_name: string | null
  organisation: string
  role: string
}

async function devUsers(): Promise<{ users: DevUser[] } | { problem: string }> {
  try {
    const res = await fetch(`${gatewayUrl()}/api/dev/users`, {
      cache: 'no-store',
      signal: AbortSignal.timeout(5_000),
    })
    if (res.status === 404) {
      return {
        problem:
          'Development sign-in is off on the gateway, and Supabase Auth is not configured for this site.',
      }
    }
    const body = (await res.json()) as { users?: DevUser[] }
    if (!res.ok || !Array.isArray(body.users)) return { problem: `The gateway answered HTTP ${res.status}.` }
    return { users: body.users }
  } catch {
    return {
      problem: 'The API gateway is not reachable, so nobody can sign in right now. Is the stack running?',
    }
  }
}

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  const params = await searchParams
  const one = (name: string) => (typeof params[name] === 'string' ? (params[name] as string) : undefined)
  const next = safeNext(one('next'))
  if (await serverSession()) redirect(next)
  const supabase = supabaseSettings()
  const error = one('error')
  const sent = one('sent')
  return (
    <main className={styles.page}>
      <div className={styles.panel}>
        <p className={styles.brand}>PSA Agents</p>
        <h1>Sign in</h1>
        {error ? (
          <p className={styles.alert} role="alert">
            {error}
          </p>
        ) : null}
        {one('signed_out') ? <p className={styles.notice}>You are signed out.</p> : null}
        {sent ? (
          <p className={styles.notice} role="status">
            We sent a sign-in link to {sent}. Open it on this device to continue.
          </p>
        ) : null}
        {supabase ? <SupabaseForms next={next} /> : <DevSignIn next={next} />}
      </div>
    </main>
  )
}

function SupabaseForms({ next }: { next: string }) {
  return (
    <>
      <form className={styles.form} action="/auth/password" method="post">
        <input type="hidden" name="next" value={next} />
        <Labelled label="E-mail" name="email" type="email" autoComplete="email" />
        <Labelled label="Password" name="password" type="password" autoComplete="current-password" />
        <Button type="submit" variant="primary">
          Sign in
        </Button>
      </form>
      <hr className={styles.divider} />
      <form className={styles.form} action="/auth/magic-link" method="post">
        <input type="hidden" name="next" value={next} />
        <Labelled label="E-mail for a sign-in link" name="email" type="email" autoComplete="email" />
        <Button type="submit">Send me a magic link</Button>
      </form>
    </>
  )
}

function Labelled({
  label,
  name,
  type,
  autoComplete,
}: {
  label: string
  name: string
  type: string
  autoComplete: string
}) {
  const id = `sign-in-${name}-${type}`
  return (
    <div className="stack" style={{ gap: '0.3rem' }}>
      <label htmlFor={id} style={{ fontWeight: 600 }}>
        {label}
      </label>
      <input id={id} name={name} type={type} autoComplete={autoComplete} required className="text-input" />
    </div>
  )
}

async function DevSignIn({ next }: { next: string }) {
  const result = await devUsers()
  if ('problem' in result) {
    return (
      <p className={styles.alert} role="alert">
        {result.problem}
      </p>
    )
  }
  return (
    <form className={styles.form} action="/auth/dev" method="post">
      <p className="muted">Local development: sign in as one of the demo users (no password).</p>
      <input type="hidden" name="next" value={next} />
      <fieldset className={styles.users}>
        <legend>Demo users</legend>
        {result.users.map((u, i) => (
          <label key={u.email} className={styles.user}>
            <input
              type="radio"
              name="email"
              value={u.email}
              defaultChecked={
                u.email === 'admin@northwind.example' ||
                (i === 0 && !result.users.some((x) => x.email === 'admin@northwind.example'))
              }
            />
            <span>
              <span className={styles.userName}>{u.full_name ?? u.email}</span>{' '}
              <span className={styles.userMeta}>
                {u.email} · {u.role} at {u.organisation}
              </span>
            </span>
          </label>
        ))}
      </fieldset>
      <Button type="submit" variant="primary">
        Sign in
      </Button>
    </form>
  )
}
