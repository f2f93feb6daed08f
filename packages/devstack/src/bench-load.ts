#!/usr/bin/env node
// npm run bench:load [-- --step-seconds 6 --start-rate 25 --max-rate 3000 --slo-ms 500 --soak-seconds 300]
//
// Load test of the whole stack (gateway, orchestrator, the three agent workers with the offline model):
//  1. step load: open-loop submits (POST /api/agents/project) at a rising rate, each step measured from
//     the requests' scheduled starts; a step is sustainable while errors stay <= 1%, the achieved rate is
//     within 5% of the offered one and p99 <= --slo-ms. Prints the highest sustainable admission rate.
//  2. soak at half that rate for --soak-seconds (default five minutes), with the admission latency at the
//     start and at the end, each service's resident memory at both, and its heap after a forced full GC
//     at the start and five more times (heap-probe.ts): a flat trend is bounded, a climbing one a leak.
// The load generator shares the machine with Postgres, NATS and every service it measures.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { demoDataSeed, NORTHWIND_ORGANISATION_ID } from '@psa/demo-data'
import { setupDatabase } from '@psa/supabase'
import postgres from 'postgres'
import { Pool } from 'undici'
import { heapAfterGcMiB, INSPECT_NODE_OPTIONS, inspectorUrls } from './heap-probe.js'
import { freeStackPorts } from './services.js'
import { checkDependencies, startStack } from './stack.js'
import { openLoop, type Samples } from './stats.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const { values: args } = parseArgs({
  options: {
    'step-seconds': { type: 'string', default: '6' },
    'start-rate': { type: 'string', default: '5' },
    users: { type: 'string', default: '200' },
    'max-rate': { type: 'string', default: '3000' },
    'slo-ms': { type: 'string', default: '500' },
    'soak-seconds': { type: 'string', default: '300' },
  },
})
const stepMs = Number(args['step-seconds']) * 1000
const startRate = Number(args['start-rate'])
const maxRate = Number(args['max-rate'])
const sloMs = Number(args['slo-ms'])
const soakMs = Number(args['soak-seconds']) * 1000
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/psa_bench_load'
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'
const say = (line = '') => process.stdout.write(`${line}\n`)
const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a')
const userCount = Number(args.users)
const SERVICES = ['gateway', 'orchestrator', 'agent-project', 'agent-resourcing', 'agent-quotes'] as const

/**
 * `count` members of the demo firm (load-<n>@northwind.example): traffic from many people, as the per-user
 * admission lock would otherwise be what is measured. Created in one statement each, idempotently.
 */
async function loadUsers(count: number): Promise<string[]> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  try {
    const id = sql`('0d000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid`
    await sql`insert into auth.users (id, email, aud, role, created_at)
      select ${id}, 'load-' || n || '@northwind.example', 'authenticated', 'authenticated', now()
      from generate_series(1, ${count}::int) as n on conflict (id) do nothing`
    await sql`insert into memberships (organisation_id, user_id, role)
      select ${NORTHWIND_ORGANISATION_ID}, ${id}, 'member' from generate_series(1, ${count}::int) as n
      on conflict (organisation_id, user_id) do nothing`
  } finally {
    await sql.end()
  }
  return Array.from({ length: count }, (_, i) => `load-${i + 1}@northwind.example`)
}

/** Resident memory of a process in MiB (Linux /proc). */
function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1])
    return kb / 1024
  } catch {
    return Number.NaN
  }
}

async function main() {
  if (/\/psa(\?|$)/.test(databaseUrl)) throw new Error('BENCH_DATABASE_URL must not be the psa database')
  const problems = await checkDependencies({ databaseUrl, natsUrl })
  if (problems.length > 0) {
    for (const p of problems) say(`${p.name}: ${p.problem}. ${p.fix}`)
    process.exit(1)
  }
  say(`PSA Agents load test — ${cpus().length} cores (${cpus()[0]?.model}), load ${loadavg()[0]?.toFixed(2)}`)
  say('The load generator shares the machine with Postgres, NATS and every service it measures.')
  await setupDatabase({ databaseUrl, seed: demoDataSeed, log: () => {} })

  const ports = await freeStackPorts()
  const key = join(mkdtempSync(join(tmpdir(), 'psa-load-')), 'key.json')
  // The limits under test are the system's capacity, not the per-user protections.
  const unlimited = '100000000'
  const extraEnv = {
    DEV_SIGNING_KEY_PATH: key,
    MAX_IN_FLIGHT_PER_USER: unlimited,
    NODE_OPTIONS: INSPECT_NODE_OPTIONS,
  }
  Object.assign(extraEnv, { RATE_LIMIT_PER_MINUTE: unlimited, RPC_RATE_LIMIT_PER_MINUTE: unlimited })
  const namespace = `load_${randomBytes(3).toString('hex')}`
  const settings = {
    root,
    ports,
    databaseUrl,
    natsUrl,
    namespace,
    authDevMode: true,
    logLevel: 'warn',
    extraEnv,
  }
  const lines: string[] = []
  const stack = startStack(settings, { only: SERVICES, sourceMaps: false, write: (l) => lines.push(l) })
  const api = new Pool(`http://127.0.0.1:${ports.gateway}`, { connections: 256, pipelining: 1 })
  try {
    const { notReady } = await stack.ready(90_000)
    if (notReady.length) throw new Error(`not ready: ${notReady}\n${lines.slice(-20).join('\n')}`)
    const post = async (path: string, body: unknown, token?: string) => {
      const res = await api.request({
        path,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      })
      return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> }
    }
    const emails = await loadUsers(userCount)
    const tokens = await Promise.all(
      emails.map(async (email) => (await post('/api/dev/token', { email })).body.access_token as string),
    )
    say(`${tokens.length} members submit the requests; workers run with the offline model.`)
    let next = 0
    const submit = async () => {
      const res = await post(
        '/api/agents/project',
        { request: 'How is project NW-201 doing?' },
        tokens[next++ % tokens.length],
      )
      if (res.status !== 202) throw new Error(`HTTP ${res.status}`)
    }
    await openLoop(10, 2_000, submit) // warm-up

    say()
    say(
      `1. Step load (${stepMs / 1000} s per step; sustainable: errors <= 1%, achieved >= 95%, p99 <= ${sloMs} ms)`,
    )
    let sustainable: { rate: number; p50: number; p95: number; p99: number; errors: number } | undefined
    for (let rate = startRate; rate <= maxRate; rate = Math.ceil(rate * 1.5)) {
      const step = await openLoop(rate, stepMs, submit)
      const s = step.latencyMs.summary()
      const errorRate = step.errors / Math.max(1, step.offered)
      const ok = errorRate <= 0.01 && step.achievedPerSecond >= rate * 0.95 && s.p99 <= sloMs
      say(
        `   offered ${rate}/s: achieved ${step.achievedPerSecond.toFixed(0)}/s, p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, p99 ${ms(s.p99)}, errors ${(errorRate * 100).toFixed(2)}%${ok ? '' : '  <- saturated'}`,
      )
      if (!ok) break
      sustainable = { rate, p50: s.p50, p95: s.p95, p99: s.p99, errors: errorRate }
    }
    if (!sustainable) {
      say(`   not even ${startRate}/s was sustainable`)
      return
    }
    say(
      `   highest sustainable admission rate: ${sustainable.rate}/s (p50 ${ms(sustainable.p50)}, p95 ${ms(sustainable.p95)}, p99 ${ms(sustainable.p99)}, errors ${(sustainable.errors * 100).toFixed(2)}%)`,
    )

    const soakRate = Math.max(1, Math.floor(sustainable.rate / 2))
    const windowMs = Math.min(30_000, Math.max(5_000, soakMs / 10))
    say()
    say(`2. Soak at ${soakRate}/s for ${soakMs / 1000} s (start and end windows of ${windowMs / 1000} s)`)
    const memory = (): Record<string, number> =>
      Object.fromEntries(SERVICES.map((s) => [s, rssMiB(stack.supervisor.pid(s))]))
    const heaps = async (): Promise<number[]> => {
      const urls = inspectorUrls(lines)
      return Promise.all(SERVICES.map((s) => heapAfterGcMiB(urls.get(s))))
    }
    const SAMPLES = 5
    const heapTrend: number[][] = [await heaps()]
    const startMemory = memory()
    const first = await openLoop(soakRate, windowMs, submit)
    const middleMs = soakMs - 2 * windowMs
    for (let i = 0; i < SAMPLES - 1; i++) {
      if (middleMs > 0) await openLoop(soakRate, middleMs / (SAMPLES - 1), submit)
      heapTrend.push(await heaps())
    }
    const last = await openLoop(soakRate, windowMs, submit)
    const endMemory = memory()
    heapTrend.push(await heaps())
    const row = (label: string, r: { latencyMs: Samples; errors: number; offered: number }) => {
      const s = r.latencyMs.summary()
      return `   ${label}: p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, p99 ${ms(s.p99)}, errors ${((r.errors / Math.max(1, r.offered)) * 100).toFixed(2)}%`
    }
    say(row('latency, start', first))
    say(row('latency, end  ', last))
    say('   resident memory (MiB), start -> end:')
    for (const s of SERVICES) {
      const a = startMemory[s] ?? Number.NaN
      const b = endMemory[s] ?? Number.NaN
      say(
        `     ${s.padEnd(17)} ${a.toFixed(0).padStart(5)} -> ${b.toFixed(0).padStart(5)} (${b - a >= 0 ? '+' : ''}${(b - a).toFixed(0)})`,
      )
    }
    say(`   heap after a forced full GC (MiB), ${heapTrend.length} samples over the soak:`)
    for (const [i, s] of SERVICES.entries()) {
      const trend = heapTrend.map((sample) => sample[i] ?? Number.NaN)
      const growth = (trend.at(-1) ?? Number.NaN) - (trend[0] ?? Number.NaN)
      say(
        `     ${s.padEnd(17)} ${trend.map((v) => v.toFixed(1).padStart(6)).join(' ')}  (${growth >= 0 ? '+' : ''}${growth.toFixed(1)})`,
      )
    }
    say(
      `   load average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    )
  } finally {
    await api.close()
    await stack.stop()
  }
}

await main()
