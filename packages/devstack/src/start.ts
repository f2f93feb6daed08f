#!/usr/bin/env node
// `npm start`: check Postgres and NATS, set up the database with demo data, then run and supervise the
// whole stack until Ctrl-C / SIGTERM.
import { fileURLToPath } from 'node:url'
import { envVars, parseEnv } from '@psa/config'
import { demoDataSeed } from '@psa/demo-data'
import { setupDatabase } from '@psa/supabase'
import { z } from 'zod'
import { authSettings } from './auth-settings.js'
import { DEFAULT_PORTS } from './services.js'
import { banner, checkDependencies, startStack } from './stack.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))

const env = parseEnv(
  'npm start',
  z.object({
    DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/psa'),
    NATS_URL: z.string().default('nats://127.0.0.1:4222'),
    PIPELINE_NAMESPACE: z.string().default('psa'),
    LOG_LEVEL: envVars.logLevel(),
    STARTUP_TIMEOUT_MS: envVars.durationMs(180_000),
  }),
)
const say = (line: string) => process.stdout.write(`${line}\n`)
const auth = authSettings(process.env)
if ('problem' in auth) {
  say(auth.problem)
  process.exit(1)
}
for (const note of auth.notes) say(note)

const problems = await checkDependencies({ databaseUrl: env.DATABASE_URL, natsUrl: env.NATS_URL })
if (problems.length > 0) {
  say('PSA Agents needs these services, which are not available:')
  for (const p of problems) say(`  - ${p.name}: ${p.problem}\n    ${p.fix}`)
  process.exit(1)
}

say('setting up the database (migrations and demo data)...')
await setupDatabase({ databaseUrl: env.DATABASE_URL, seed: demoDataSeed, log: (line) => say(`  ${line}`) })

const settings = {
  root,
  ports: DEFAULT_PORTS,
  databaseUrl: env.DATABASE_URL,
  natsUrl: env.NATS_URL,
  namespace: env.PIPELINE_NAMESPACE,
  authDevMode: auth.authDevMode,
  ...(auth.supabase ? { supabase: auth.supabase } : {}),
  logLevel: env.LOG_LEVEL,
}
const stack = startStack(settings)
let stopping = false
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    say(`\n[supervisor] ${signal}: stopping every service...`)
    void stack.stop().then(() => process.exit(0))
  })
}

const { notReady } = await stack.ready(env.STARTUP_TIMEOUT_MS)
if (stopping) {
  // Interrupted while starting; the signal handler finishes the job.
} else if (notReady.length > 0) {
  say(
    `[supervisor] still not ready after ${env.STARTUP_TIMEOUT_MS / 1000}s: ${notReady.join(', ')} (see their logs above)`,
  )
} else {
  say(banner(settings))
}
