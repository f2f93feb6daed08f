// Test-only: the product as `npm start` runs it (built services under the supervisor), on free ports, in its
// own queue namespace, against this run's test database, and what its end-to-end tests ask of it.
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { testDatabaseUrl } from '@psa/test-kit'
import { freeStackPorts, type StackPorts } from '../services.js'
import { type RunningStack, startStack } from '../stack.js'

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

export interface E2eStack {
  stack: RunningStack
  ports: StackPorts
  /** The gateway's origin. */
  api: string
  /** The services' output lines, for failure messages. */
  output: string[]
  stop(): Promise<void>
}

/** Starts the built services (all, or `only` those) and waits until every one is ready. */
export async function startE2eStack(
  options: {
    only?: readonly string[]
    readyTimeoutMs?: number
    /** Where the services reach Postgres (default this run's test database), e.g. through a FaultProxy. */
    databaseUrl?: string
    /** Extra variables for every service. */
    env?: Record<string, string>
  } = {},
): Promise<E2eStack> {
  const ports = await freeStackPorts()
  const output: string[] = []
  const stack = startStack(
    {
      root: REPOSITORY_ROOT,
      ports,
      databaseUrl: options.databaseUrl ?? testDatabaseUrl(),
      natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
      namespace: `e2e_${randomBytes(4).toString('hex')}`,
      authDevMode: true,
      logLevel: 'warn',
      extraEnv: {
        DEV_SIGNING_KEY_PATH: join(mkdtempSync(join(tmpdir(), 'psa-e2e-')), 'dev-key.json'),
        ...options.env,
      },
    },
    {
      write: (line) => output.push(line),
      stopTimeoutMs: 10_000,
      ...(options.only ? { only: options.only } : {}),
    },
  )
  const { notReady } = await stack.ready(options.readyTimeoutMs ?? 90_000)
  if (notReady.length > 0) {
    await stack.stop()
    throw new Error(`not ready: ${notReady.join(', ')}\n${output.slice(-40).join('\n')}`)
  }
  return { stack, ports, api: `http://127.0.0.1:${ports.gateway}`, output, stop: () => stack.stop() }
}

/** Supabase's token response, as the gateway's development sign-in answers it. */
export interface DevSession {
  access_token: string
  user: { id: string; email: string }
}

export async function devSession(api: string, email?: string): Promise<DevSession> {
  const res = await fetch(`${api}/api/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(email ? { email } : {}),
  })
  if (res.status !== 200) throw new Error(`dev sign-in answered ${res.status}: ${await res.text()}`)
  return (await res.json()) as DevSession
}

export interface SseEvent {
  id: number
  event: string
  data: { seq: number; type: string; data: Record<string, unknown> }
}

/** Reads an SSE response to its end (the gateway closes it after the session's terminal event). */
export async function readEvents(url: string, token: string, lastEventId?: number): Promise<SseEvent[]> {
  const res = await fetch(url, {
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'text/event-stream',
      ...(lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) }),
    },
    signal: AbortSignal.timeout(60_000),
  })
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${await res.text()}`)
  const type = res.headers.get('content-type') ?? ''
  if (!type.includes('text/event-stream')) throw new Error(`${url} answered ${type}, not an event stream`)
  const text = await res.text()
  return text
    .split('\n\n')
    .map((block) => block.split('\n').filter((line) => line && !line.startsWith(':')))
    .filter((lines) => lines.some((l) => l.startsWith('data:')))
    .map((lines) => {
      const field = (name: string) =>
        lines
          .filter((l) => l.startsWith(`${name}:`))
          .map((l) => l.slice(name.length + 1).trimStart())
          .join('\n')
      return { id: Number(field('id')), event: field('event'), data: JSON.parse(field('data')) }
    })
}
