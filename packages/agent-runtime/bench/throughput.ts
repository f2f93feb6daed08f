// Throughput of the agent runtime on this machine, against the real Postgres and NATS:
//   1. how fast one session's event writer publishes (awaited one by one, as the bridge does, and pipelined);
//   2. end-to-end completions per second of trivial requests (one model turn, one tool reading the database
//      as the user, a final answer) with the offline model, for the worker concurrency given.
// The requests are queued first, then the worker is started, so the figure is the worker's rate alone.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/psa BENCH_REQUESTS=300 WORKER_CONCURRENCY=4 \
//     npx tsx --conditions=source packages/agent-runtime/bench/throughput.ts
import { callTools, finish, lastCall, OfflineModel, type Playbook } from '@psa/agent-models'
import { SessionEventWriter } from '@psa/agent-pipeline'
import { createTenant } from '@psa/test-kit'
import { z } from 'zod'
import { startPipelineHarness } from '../src/testing.js'
import { defineTool } from '../src/tools.js'
import { createAgentWorker } from '../src/worker.js'

const requests = Number(process.env.BENCH_REQUESTS ?? 300)
const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 4)
const writerEvents = Number(process.env.BENCH_WRITER_EVENTS ?? 5_000)

const countClients = defineTool({
  name: 'count_clients',
  description: 'Counts the clients the user can see',
  inputSchema: z.object({}),
  run: async (_input, ctx) => {
    const row = await ctx.asUser((tx) =>
      tx
        .selectFrom('clients')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow(),
    )
    return { summary: `${row.n} clients`, count: Number(row.n) }
  },
})
const playbook: Playbook = ({ steps }) => {
  const call = lastCall(steps, 'count_clients')
  if (!call) return callTools('Counting the clients.', { name: 'count_clients', input: {} })
  return finish(`There are ${(call.output as { count: number }).count} clients.`, { result: { done: true } })
}

const h = await startPipelineHarness({
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/psa',
})
const tenant = await createTenant(h.db, { data: 'users', timezone: 'UTC' })
const user = tenant.users.admin
try {
  // 1. The event writer alone.
  const writerSession = await h.submit(user, { agentType: 'project_management', request: 'writer benchmark' })
  const writer = await SessionEventWriter.open({
    js: h.nats.js,
    jsm: h.nats.jsm,
    topology: h.topology,
    log: h.store.events,
    sessionId: writerSession.id,
    organisationId: user.organisationId,
    agent: 'bench',
    attempt: 1,
    logger: h.logger,
  })
  let started = performance.now()
  for (let i = 0; i < writerEvents; i++)
    await writer.emit({ type: 'reasoning', data: { text: `event ${i}` } })
  await writer.flush()
  const awaited = writerEvents / ((performance.now() - started) / 1000)
  started = performance.now()
  await Promise.all(
    Array.from({ length: writerEvents }, (_, i) =>
      writer.emit({ type: 'reasoning', data: { text: `pipelined ${i}` } }),
    ),
  )
  await writer.close()
  const pipelined = writerEvents / ((performance.now() - started) / 1000)
  console.log(
    `event writer: ${Math.round(awaited)} events/s awaited one by one, ${Math.round(pipelined)} events/s pipelined (publish + batched agent_logs insert, ${writerEvents} events each)`,
  )

  // 2. End to end.
  const ids: string[] = []
  for (let i = 0; i < requests; i++) {
    ids.push(
      (await h.submit(user, { agentType: 'project_management', request: `How many clients? #${i}` })).id,
    )
  }
  const worker = createAgentWorker({
    agent: { agentType: 'project_management', systemPrompt: 'Benchmark agent.', tools: [countClients] },
    model: new OfflineModel({ playbooks: { project_management: playbook } }),
    ...h.workerDeps,
    concurrency,
    timeoutMs: 60_000,
    maxTurns: 5,
  })
  started = performance.now()
  worker.start()
  for (;;) {
    const row = await h.db.asService((tx) =>
      tx
        .selectFrom('agent_sessions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('id', 'in', ids)
        .where('status', 'in', ['completed', 'failed'])
        .executeTakeFirstOrThrow(),
    )
    if (Number(row.n) === ids.length) break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const seconds = (performance.now() - started) / 1000
  await worker.stop(5_000)
  const stats = await h.db.asService(async (tx) => {
    const sessions = await tx
      .selectFrom('agent_sessions')
      .select(['status', 'processing_time_ms'])
      .where('id', 'in', ids)
      .execute()
    const events = await tx
      .selectFrom('agent_logs')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('session_id', 'in', ids)
      .where('attempt', '>', 0)
      .executeTakeFirstOrThrow()
    return { sessions, events: Number(events.n) }
  })
  const times = stats.sessions.map((s) => s.processing_time_ms ?? 0).sort((a, b) => a - b)
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]
  console.log(
    `end to end: ${requests} requests, concurrency ${concurrency}: ${(requests / seconds).toFixed(1)} completions/s over ${seconds.toFixed(2)} s; ${Math.round(stats.events / seconds)} events/s published by the worker (${(stats.events / requests).toFixed(1)} per request); processing time p50 ${pct(50)} ms, p95 ${pct(95)} ms; failed ${stats.sessions.filter((s) => s.status !== 'completed').length}`,
  )
  await h.db.asService((tx) =>
    tx
      .deleteFrom('agent_sessions')
      .where('id', 'in', [...ids, writerSession.id])
      .execute(),
  )
} finally {
  await tenant.drop()
  await h.close()
}
