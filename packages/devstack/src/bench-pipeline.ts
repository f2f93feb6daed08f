#!/usr/bin/env node
// npm run bench:pipeline [-- --seconds 10 --rates 250,500 --sessions 150 --backlog 10000]  (--sessions 0: admission only;
// --closed-loop-only: the many-users closed loop alone; --e2e-only: the end-to-end phase alone)
//
// Figures for the agent request pipeline on this machine, printed as a report:
//  1. the raw floor: a JetStream publish with ack, and a one-row Postgres insert commit, from Node;
//  2. admission through HTTP -> gRPC -> Postgres + JetStream: closed-loop throughput from many users and
//     from one, latency at half that rate offered (open loop, measured from each request's scheduled start)
//     and at any further `--rates`, throughput with a backlog already queued, and the CPU each process
//     (gateway, orchestrator, Postgres, NATS, the load generator) spends per admission, from /proc;
//  3. end-to-end completions per second with the offline model, and agent event -> SSE client latency.
// The load generator runs on the same two cores as everything it measures; the report says so.
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { demoDataSeed, NORTHWIND_ORGANISATION_ID } from '@psa/demo-data'
import { setupDatabase } from '@psa/supabase'
import postgres from 'postgres'
import { Pool } from 'undici'
import { measureCpu, type ProcessGroup, pidsNamed } from './proc-cpu.js'
import { freeStackPorts } from './services.js'
import { checkDependencies, startStack } from './stack.js'
import { closedLoop, openLoop, Samples } from './stats.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rates: { type: 'string', default: '' },
    backlog: { type: 'string', default: '10000' },
    sessions: { type: 'string', default: '150' },
    concurrency: { type: 'string', default: '32' },
    users: { type: 'string', default: '256' },
    // Stops after the many-users closed loop: a CPU profile (BENCH_CPU_PROF_DIR) then shows only admission.
    'closed-loop-only': { type: 'boolean', default: false },
    // Only an open loop at this rate, with the CPU per admission: a comparison of two builds that does not
    // depend on the throughput each reaches (batch sizes follow the rate; per-process overheads are shared).
    'fixed-rate-only': { type: 'string', default: '' },
    // Only the end-to-end phase (no raw floor, no admission loops): CPU per completion of two builds.
    'e2e-only': { type: 'boolean', default: false },
  },
})
const seconds = Number(args.seconds)
const rates = String(args.rates).split(',').filter(Boolean).map(Number)
const backlog = Number(args.backlog)
const sessionsForE2e = Number(args.sessions)
const concurrency = Number(args.concurrency)
const userCount = Number(args.users)
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/psa_bench'
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'
const say = (line = '') => process.stdout.write(`${line}\n`)
const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : 'n/a')
const perSec = (v: number) => `${Math.round(v).toLocaleString('en-US')}/s`

async function rawJetStream() {
  const nc = await connect({ servers: natsUrl })
  const jsm = await jetstreamManager(nc)
  const js = jetstream(nc)
  const name = `BENCH_RAW_${randomBytes(3).toString('hex').toUpperCase()}`
  const subject = `bench.raw.${name.toLowerCase()}`
  await jsm.streams.add({
    name,
    subjects: [subject],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
  })
  const body = JSON.stringify({ v: 1, session_id: randomUUID(), request: 'x'.repeat(200) })
  try {
    const sequential = await closedLoop(1, seconds * 300, () =>
      js.publish(subject, body, { msgID: randomUUID() }),
    )
    const parallel = await closedLoop(concurrency, seconds * 500, () =>
      js.publish(subject, body, { msgID: randomUUID() }),
    )
    return { sequential, parallel }
  } finally {
    await jsm.streams.delete(name)
    await nc.close()
  }
}

async function rawPostgres() {
  const sql = postgres(databaseUrl, { max: 10, onnotice: () => {} })
  const table = `bench_raw_${randomBytes(3).toString('hex')}`
  await sql.unsafe(
    `create table ${table} (id uuid primary key, payload jsonb not null, created_at timestamptz not null default now())`,
  )
  const insert = () =>
    sql.unsafe(`insert into ${table} (id, payload) values ($1, $2)`, [
      randomUUID(),
      { request: 'x'.repeat(200) },
    ])
  try {
    const sequential = await closedLoop(1, seconds * 300, insert)
    const parallel = await closedLoop(concurrency, seconds * 500, insert)
    return { sequential, parallel }
  } finally {
    await sql.unsafe(`drop table ${table}`)
    await sql.end()
  }
}

/** Reads an SSE stream, recording for every event how long after its `time` it reached this client. */
async function watchEvents(
  pool: Pool,
  token: string,
  sessionId: string,
  latencies: Samples,
): Promise<number> {
  const res = await pool.request({
    path: `/api/sessions/${sessionId}/events`,
    method: 'GET',
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    bodyTimeout: 120_000,
  })
  let buffer = ''
  let events = 0
  for await (const chunk of res.body) {
    const arrived = Date.now()
    buffer += chunk.toString()
    let end = buffer.indexOf('\n\n')
    while (end >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
        .join('\n')
      if (data) {
        const event = JSON.parse(data) as { time: string; type: string }
        // Only events written while we were listening measure live delivery; replayed history would not.
        if (event.type !== 'status_changed' || events > 0) latencies.add(arrived - Date.parse(event.time))
        events++
      }
      end = buffer.indexOf('\n\n')
    }
  }
  return events
}

/**
 * Members of the demo firm who submit the benchmark's requests. Real traffic comes from many people; one
 * user's load is measured separately (the per-user in-flight limit must not serialise it).
 */
async function ensureBenchUsers(count: number): Promise<string[]> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  const users = Array.from({ length: count }, (_, i) => ({
    id: `0c000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
    email: `bench-${i + 1}@northwind.example`,
  }))
  try {
    const authUsers = users.map((u) => ({
      ...u,
      aud: 'authenticated',
      role: 'authenticated',
      created_at: new Date(),
    }))
    await sql`insert into auth.users ${sql(authUsers)} on conflict (id) do nothing`
    const members = users.map((u) => ({
      organisation_id: NORTHWIND_ORGANISATION_ID,
      user_id: u.id,
      role: 'member',
    }))
    await sql`insert into memberships ${sql(members)} on conflict (organisation_id, user_id) do nothing`
  } finally {
    await sql.end()
  }
  return users.map((u) => u.email)
}

async function main() {
  const problems = await checkDependencies({ databaseUrl, natsUrl })
  if (problems.length > 0) {
    for (const p of problems) say(`${p.name}: ${p.problem}. ${p.fix}`)
    process.exit(1)
  }
  say(
    `PSA Agents pipeline benchmark — ${cpus().length} cores (${cpus()[0]?.model}), load ${loadavg()[0]?.toFixed(2)}`,
  )
  say('The load generator shares the machine with Postgres, NATS and every service it measures.')
  say()
  await setupDatabase({ databaseUrl, seed: demoDataSeed, log: () => {} })

  const e2eOnly = args['e2e-only']
  let floor = Number.NaN
  if (!e2eOnly) {
    say('1. Raw floor (from Node, same payload size as a queued request)')
    const js = await rawJetStream()
    const pg = await rawPostgres()
    say(
      `   JetStream publish+ack   sequential ${perSec(js.sequential.perSecond)} (p50 ${ms(js.sequential.latencyMs.percentile(50))}, p99 ${ms(js.sequential.latencyMs.percentile(99))}); ${concurrency} in flight ${perSec(js.parallel.perSecond)}`,
    )
    say(
      `   Postgres insert commit  sequential ${perSec(pg.sequential.perSecond)} (p50 ${ms(pg.sequential.latencyMs.percentile(50))}, p99 ${ms(pg.sequential.latencyMs.percentile(99))}); ${concurrency} in flight ${perSec(pg.parallel.perSecond)}`,
    )
    floor = Math.min(js.parallel.perSecond, pg.parallel.perSecond)
    say(`   floor (the slower of the two at ${concurrency} in flight): ${perSec(floor)}`)
    say()
  }

  const ports = await freeStackPorts()
  const settings = {
    root,
    ports,
    databaseUrl,
    natsUrl,
    namespace: `bench_${randomBytes(3).toString('hex')}`,
    authDevMode: true,
    // Quiet by default; BENCH_LOG_LEVEL=info measures with the line per request production writes.
    logLevel: process.env.BENCH_LOG_LEVEL ?? 'warn',
    extraEnv: {
      DEV_SIGNING_KEY_PATH: join(mkdtempSync(join(tmpdir(), 'psa-bench-')), 'key.json'),
      MAX_IN_FLIGHT_PER_USER: '100000000',
      RATE_LIMIT_PER_MINUTE: '100000000',
      // One user's load and the end-to-end phase's stream per session go past the per-user caps.
      RPC_RATE_LIMIT_PER_MINUTE: '100000000',
      MAX_STREAMS_PER_USER: '100000',
      SSE_MAX_STREAMS_PER_USER: '100000',
      // BENCH_CPU_PROF_DIR=dir: every service writes a V8 CPU profile there when it stops.
      ...(process.env.BENCH_CPU_PROF_DIR
        ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}` }
        : {}),
    },
  }
  const lines: string[] = []
  // Measured as production runs them: without source-mapped stack traces.
  const front = startStack(settings, {
    only: ['orchestrator', 'gateway'],
    sourceMaps: false,
    write: (l) => lines.push(l),
  })
  const api = new Pool(`http://127.0.0.1:${ports.gateway}`, { connections: 128, pipelining: 1 })
  let workers: ReturnType<typeof startStack> | undefined
  try {
    const { notReady } = await front.ready(60_000)
    if (notReady.length) throw new Error(`not ready: ${notReady}\n${lines.slice(-20).join('\n')}`)
    const mint = async (email?: string) => {
      const res = await api.request({
        path: '/api/dev/token',
        method: 'POST',
        body: JSON.stringify(email ? { email } : {}),
        headers: { 'content-type': 'application/json' },
      })
      return ((await res.body.json()) as { access_token: string }).access_token
    }
    const token = await mint()
    const tokens = await Promise.all((await ensureBenchUsers(userCount)).map((email) => mint(email)))
    let next = 0
    const submit =
      (as = tokens, request = 'How is project NW-201 doing?') =>
      async () => {
        const res = await api.request({
          path: '/api/agents/project',
          method: 'POST',
          headers: {
            authorization: `Bearer ${as[next++ % as.length]}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ request }),
        })
        const body = (await res.body.json()) as { session_id?: string }
        if (res.statusCode !== 202) throw new Error(`HTTP ${res.statusCode}: ${JSON.stringify(body)}`)
        return body.session_id as string
      }

    // Postgres' backends of this database and the processes that write its WAL; NATS is one process. Both
    // serve the other users of this machine too, so their figures are upper bounds on a shared machine.
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} })
    const pgPids = async () =>
      (
        await sql<{ pid: number }[]>`
          select pid from pg_stat_activity
          where datname = current_database() or backend_type in ('walwriter', 'background writer', 'checkpointer')`
      ).map((r) => r.pid)
    const cpuGroups: ProcessGroup[] = [
      { name: 'gateway', pids: async () => [front.supervisor.pid('gateway') ?? 0] },
      { name: 'orchestrator', pids: async () => [front.supervisor.pid('orchestrator') ?? 0] },
      { name: 'Postgres', pids: pgPids },
      { name: 'NATS', pids: () => pidsNamed('nats-server') },
      { name: 'load generator', pids: async () => [process.pid] },
    ]
    /** A closed loop, with the CPU each process spent per admission (ms of CPU per request). */
    const measuredLoop = async (op: () => Promise<string>) => {
      let lastId = ''
      const { result, cpu } = await measureCpu(cpuGroups, () =>
        closedLoop(concurrency, seconds * 1000, async () => {
          lastId = await op()
        }),
      )
      const count = result.latencyMs.count
      const perAdmission = [...cpu].map(([name, s]) => `${name} ${((s * 1000) / count).toFixed(2)}`)
      const total = [...cpu.values()].reduce((a, b) => a + b, 0)
      const cpuLine = `${perAdmission.join(', ')}; all ${((total * 1000) / count).toFixed(2)}`
      return { ...result, cpuLine, lastId }
    }
    const describeLoop = (r: Awaited<ReturnType<typeof measuredLoop>>) =>
      `${perSec(r.perSecond)}, p50 ${ms(r.latencyMs.percentile(50))}, p99 ${ms(r.latencyMs.percentile(99))}, errors ${r.errors}`
    const nc = await connect({ servers: natsUrl })
    const benchJs = jetstream(nc)
    const benchJsm = await jetstreamManager(nc)
    const requestsStream = `${settings.namespace.toUpperCase()}_AGENT_REQUESTS`
    /** Cancels every queued session and empties the work queue: the next figure starts from an empty queue. */
    const clearQueue = async () => {
      await sql`update agent_sessions set status = 'cancelled', completed_at = now(), error = ${sql.json({ code: 'CANCELLED', message: 'benchmark backlog' })} where status = 'queued'`
      await benchJsm.streams.purge(requestsStream)
    }
    /** Queues `count` project sessions of the bench users as rows and work items (nobody processes them). */
    const fillQueue = async (count: number) => {
      const ids = await sql<{ id: string }[]>`
        insert into agent_sessions (organisation_id, user_id, agent_type, request, status)
        select ${NORTHWIND_ORGANISATION_ID}, ('0c000000-0000-4000-8000-' || lpad(((g % ${userCount}) + 1)::text, 12, '0'))::uuid,
               'project_management', 'benchmark backlog', 'queued'
        from generate_series(1, ${count}) g
        returning id`
      const subject = `${settings.namespace}.agent.requests.project_management`
      for (let i = 0; i < ids.length; i += 500) {
        await Promise.all(
          ids
            .slice(i, i + 500)
            .map((r) =>
              benchJs.publish(subject, JSON.stringify({ v: 1, session_id: r.id }), { msgID: r.id }),
            ),
        )
      }
    }

    /** GET /api/sessions/:id in a closed loop: the session with its queue position and last event. */
    const readSession = (id: string) =>
      closedLoop(concurrency, 3_000, async () => {
        const res = await api.request({
          path: `/api/sessions/${id}`,
          method: 'GET',
          headers: { authorization: `Bearer ${token}` },
        })
        await res.body.dump()
        if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`)
      })

    if (e2eOnly) await nc.close()
    else {
      say(
        `2. Admission: POST /api/agents/project -> gateway -> gRPC -> Postgres + JetStream (workers stopped, ${userCount} users)`,
      )
      await closedLoop(8, 2_000, submit()) // warm-up
      await clearQueue()
      if (args['fixed-rate-only']) {
        const rate = Number(args['fixed-rate-only'])
        const { result: open, cpu } = await measureCpu(cpuGroups, () =>
          openLoop(rate, seconds * 1000, submit()),
        )
        const s = open.latencyMs.summary()
        const count = open.latencyMs.count
        const total = [...cpu.values()].reduce((a, b) => a + b, 0)
        say(
          `   offered ${perSec(rate)}: achieved ${perSec(open.achievedPerSecond)}, p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, errors ${open.errors}`,
        )
        say(
          `   CPU per admission (ms): ${[...cpu].map(([name, v]) => `${name} ${((v * 1000) / count).toFixed(2)}`).join(', ')}; all ${((total * 1000) / count).toFixed(2)}`,
        )
        await clearQueue()
        await nc.close()
        await sql.end()
        return
      }
      const closed = await measuredLoop(submit())
      say(`   closed loop, ${concurrency} in flight, ${userCount} users: ${describeLoop(closed)}`)
      say(`   admission / raw floor = ${((closed.perSecond / floor) * 100).toFixed(0)}% (goal >= 30%)`)
      say(`   CPU per admission (ms): ${closed.cpuLine}`)
      await clearQueue()
      if (args['closed-loop-only']) {
        await nc.close()
        await sql.end()
        return
      }
      const oneUser = await measuredLoop(submit([token]))
      say(`   closed loop, ${concurrency} in flight, one user: ${describeLoop(oneUser)}`)
      say(
        `   one user / many users = ${((oneUser.perSecond / closed.perSecond) * 100).toFixed(0)}% (goal >= 50%)`,
      )
      say(`   CPU per admission (ms): ${oneUser.cpuLine}`)
      await clearQueue()
      const half = Math.max(1, Math.round(closed.perSecond / 2))
      for (const rate of [half, ...rates]) {
        const open = await openLoop(rate, seconds * 1000, submit())
        const s = open.latencyMs.summary()
        say(
          `   offered ${perSec(rate)}${rate === half ? ' (half the closed loop)' : ''}: achieved ${perSec(open.achievedPerSecond)}, p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, p99 ${ms(s.p99)}, errors ${open.errors}${rate === half ? ' (goal p99 <= 50 ms)' : ''}`,
        )
        await clearQueue()
      }
      const alone = await readSession(await submit()())
      await clearQueue()
      await fillQueue(backlog)
      const deep = await measuredLoop(submit())
      say(`   closed loop with ${backlog.toLocaleString('en-US')} already queued: ${describeLoop(deep)}`)
      say(
        `   backlog / empty queue = ${((deep.perSecond / closed.perSecond) * 100).toFixed(0)}% (goal >= 90%)`,
      )
      say(`   CPU per admission (ms): ${deep.cpuLine}`)
      const behindBacklog = await readSession(deep.lastId)
      say(
        `   GET /api/sessions/:id (with its queue position) behind ${backlog.toLocaleString('en-US')} queued: ${perSec(behindBacklog.perSecond)}, p99 ${ms(behindBacklog.latencyMs.percentile(99))}; alone in the queue ${perSec(alone.perSecond)}, p99 ${ms(alone.latencyMs.percentile(99))} (${((behindBacklog.perSecond / alone.perSecond) * 100).toFixed(0)}%), errors ${behindBacklog.errors + alone.errors}`,
      )
      await clearQueue()
      await nc.close()
      say()
    }

    if (sessionsForE2e === 0) {
      await sql.end()
      return
    }
    say('3. End to end with the offline model (requests across the three agents, workers running)')
    workers = startStack(settings, {
      only: ['agent-project', 'agent-resourcing', 'agent-quotes'],
      sourceMaps: false,
      write: (l) => lines.push(l),
    })
    const workersReady = await workers.ready(60_000)
    if (workersReady.notReady.length) throw new Error(`workers not ready: ${workersReady.notReady}`)
    const requests = [
      ['/api/agents/project', 'How is project NW-201 doing?'],
      ['/api/agents/resource', 'Who can staff React roles next month?'],
      ['/api/agents/quotes', 'Quote 200h senior dev + 80h design at 30% margin'],
    ] as const
    /** Submits `count` requests (back to back, or at `perSecond`) and follows each one's events to the end. */
    const runSessions = async (count: number, perSecond?: number) => {
      const relay = new Samples()
      const started = performance.now()
      const watchers: Promise<number>[] = []
      const ids: string[] = []
      for (let i = 0; i < count; i++) {
        if (perSecond) {
          const wait = started + (i * 1000) / perSecond - performance.now()
          if (wait > 0) await new Promise((r) => setTimeout(r, wait))
        }
        const [path, request] = requests[i % requests.length] as (typeof requests)[number]
        const res = await api.request({
          path,
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ request }),
        })
        const { session_id } = (await res.body.json()) as { session_id: string }
        ids.push(session_id)
        watchers.push(watchEvents(api, token, session_id, relay))
      }
      const eventCounts = await Promise.all(watchers)
      const elapsed = (performance.now() - started) / 1000
      const statuses = await sql<{ status: string; n: string }[]>`
        select status, count(*) as n from agent_sessions where id in ${sql(ids)} group by status`
      return { elapsed, relay, eventCounts, statuses: statuses.map((r) => `${r.n} ${r.status}`).join(', ') }
    }
    const describeRelay = (relay: Samples) => {
      const r = relay.summary()
      return `${r.count} events, p50 ${ms(r.p50)}, p95 ${ms(r.p95)}, p99 ${ms(r.p99)}, max ${ms(r.max)}`
    }

    const workerGroups: ProcessGroup[] = ['agent-project', 'agent-resourcing', 'agent-quotes'].map(
      (name) => ({
        name,
        pids: async () => [workers?.supervisor.pid(name) ?? 0],
      }),
    )
    const { result: burst, cpu: burstCpu } = await measureCpu([...cpuGroups, ...workerGroups], () =>
      runSessions(sessionsForE2e),
    )
    const capacity = sessionsForE2e / burst.elapsed
    say(
      `   burst of ${sessionsForE2e}: finished in ${burst.elapsed.toFixed(1)} s = ${capacity.toFixed(1)} completions/s (${burst.statuses}); events per session ${Math.min(...burst.eventCounts)}..${Math.max(...burst.eventCounts)}`,
    )
    say(
      `   CPU per completion (ms): ${[...burstCpu].map(([name, s]) => `${name} ${((s * 1000) / sessionsForE2e).toFixed(1)}`).join(', ')}; all ${(([...burstCpu.values()].reduce((a, b) => a + b, 0) * 1000) / sessionsForE2e).toFixed(1)}`,
    )
    say(`   agent event -> SSE client during the burst (CPU saturated): ${describeRelay(burst.relay)}`)
    const steadyRate = Math.max(1, Math.round(capacity / 2))
    const steady = await runSessions(steadyRate * seconds, steadyRate)
    say(
      `   agent event -> SSE client at ${steadyRate} requests/s (half of capacity, ${steady.statuses}): ${describeRelay(steady.relay)} (goal p99 <= 50 ms)`,
    )
    await sql.end()
  } finally {
    await workers?.stop()
    await api.close()
    await front.stop()
    await deleteStreams(`${settings.namespace.toUpperCase()}_`)
  }
}

/** The JetStream streams this run's stack created (named for its namespace): nothing is left behind. */
async function deleteStreams(prefix: string) {
  const nc = await connect({ servers: natsUrl })
  try {
    const jsm = await jetstreamManager(nc)
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(prefix)) await jsm.streams.delete(name)
    }
  } finally {
    await nc.close()
  }
}

await main()
