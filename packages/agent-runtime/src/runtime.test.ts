import { setTimeout as sleep } from 'node:timers/promises'
import { callTools, finish, lastCall, OfflineModel, type Playbook } from '@psa/agent-models'
import { isTerminalEvent, type SessionEventEnvelope, SessionEventWriter } from '@psa/agent-pipeline'
import { Database, databaseEnvSchema } from '@psa/db'
import { AppError } from '@psa/errors'
import { createTenant, openTestDatabase, type Tenant, type TenantUser } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { canonicalJson, deterministicUuid, sha256Hex } from './deterministic-id.js'
import type { AgentDefinition } from './session-processor.js'
import { type PipelineHarness, startPipelineHarness } from './testing.js'
import { defineTool } from './tools.js'
import { type AgentWorker, type AgentWorkerDeps, createAgentWorker } from './worker.js'

// A small agent exercising the runtime: one tool reads through RLS, one proposes, one is slow (cancel,
// timeout, shutdown), one fails like a database outage. The offline model drives it with a test playbook.
const tools = [
  defineTool({
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
  }),
  defineTool({
    name: 'propose_client',
    description: 'Proposes adding a client',
    inputSchema: z.object({ name: z.string().min(1) }),
    run: async ({ name }, ctx) => {
      const outcome = await ctx.propose({
        title: `Add client ${name}`,
        summary: `Adds ${name} as a client`,
        changeset: {
          version: 1,
          operations: [{ op: 'insert', table: 'clients', values: { id: ctx.id('client', name), name } }],
        },
      })
      return {
        summary: `proposal ${outcome.created ? 'created' : 'already existed'}`,
        proposal_id: outcome.proposalId,
      }
    },
  }),
  defineTool({
    name: 'slow_step',
    description: 'Waits, honouring cancellation',
    inputSchema: z.object({ ms: z.number().int().positive() }),
    run: async ({ ms }, ctx) => {
      await sleep(ms, undefined, { signal: ctx.signal })
      return { summary: `waited ${ms} ms` }
    },
  }),
  defineTool({
    name: 'flaky',
    description: 'Fails as if the database were down',
    inputSchema: z.object({}),
    run: async () => {
      throw new AppError('UNAVAILABLE', 'The database is unavailable')
    },
  }),
]

const LONG_REASONING = Array.from({ length: 200 }, (_, i) => `Thought number ${i} about the plan.`).join(' ')

const playbook: Playbook = ({ request, steps }) => {
  const [command, arg = ''] = request.split(' ')
  switch (command) {
    case 'count': {
      const call = lastCall(steps, 'count_clients')
      if (!call) return callTools('Counting the clients.', { name: 'count_clients', input: {} })
      const count = (call.output as { count: number }).count
      return finish(`There are ${count} clients.`, { result: { count } })
    }
    case 'propose': {
      const call = lastCall(steps, 'propose_client')
      if (!call) return callTools(`Proposing ${arg}.`, { name: 'propose_client', input: { name: arg } })
      return finish(`Proposed ${arg}.`, {
        result: { proposal_id: (call.output as { proposal_id: string }).proposal_id },
      })
    }
    case 'slow': {
      if (steps.length === 0)
        return callTools('Working slowly.', { name: 'slow_step', input: { ms: Number(arg) } })
      return finish('Done slowly.')
    }
    case 'flaky':
      return steps.length === 0 ? callTools('Trying.', { name: 'flaky', input: {} }) : finish('Recovered.')
    case 'loop':
      return callTools(`Step ${steps.length + 1}.`, { name: 'count_clients', input: {} })
    case 'chatty':
      return finish(LONG_REASONING, { result: { chars: LONG_REASONING.length } })
    default:
      return finish(`Unknown command ${command}.`)
  }
}

const agent: AgentDefinition = {
  agentType: 'project_management',
  systemPrompt: 'You are a test agent.',
  tools,
}
const model = new OfflineModel({ playbooks: { project_management: playbook } })

let shared: Database
let tenant: Tenant
let user: TenantUser

beforeAll(async () => {
  shared = openTestDatabase()
  tenant = await createTenant(shared, { data: 'users', timezone: 'UTC' })
  user = tenant.users.admin
})

afterAll(async () => {
  await tenant?.drop()
  await shared.close()
})

interface Rig {
  h: PipelineHarness
  worker: AgentWorker
  close(): Promise<void>
}

async function rig(
  options: { ackWaitMs?: number; maxDeliver?: number } = {},
  worker: Partial<Omit<AgentWorkerDeps, 'nc' | 'js' | 'jsm' | 'topology' | 'logger' | 'registry'>> & {
    start?: boolean
  } = {},
): Promise<Rig> {
  const h = await startPipelineHarness(options)
  const { start = true, ...deps } = worker
  const w = newWorker(h, deps)
  if (start) w.start()
  return {
    h,
    worker: w,
    close: async () => {
      await w.stop(2_000)
      await h.close()
    },
  }
}

function newWorker(
  h: PipelineHarness,
  deps: Partial<Omit<AgentWorkerDeps, 'nc' | 'js' | 'jsm' | 'topology' | 'logger' | 'registry'>> = {},
): AgentWorker {
  return createAgentWorker({
    agent,
    model,
    ...h.workerDeps,
    concurrency: 2,
    timeoutMs: 20_000,
    maxTurns: 10,
    pullExpiresMs: 1_000,
    ...deps,
    processor: { retryBaseDelayMs: 100, ...deps.processor },
  })
}

function types(events: SessionEventEnvelope[]): string[] {
  return events.map((e) => (e.type === 'status_changed' ? `status:${e.data.status}` : e.type))
}

async function metric(h: PipelineHarness, name: string, labels: Record<string, string>): Promise<number> {
  const values = (await h.registry.getSingleMetric(name)?.get())?.values ?? []
  return values
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((sum, v) => sum + v.value, 0)
}

async function eventually<T>(
  fn: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await fn()
    if (ok(value)) return value
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms: ${JSON.stringify(value)}`)
    await sleep(50)
  }
}

/** The event writer of an attempt 1 played by the test, which dies before its events reach agent_logs. */
function attemptOneWriter(h: PipelineHarness, sessionId: string): Promise<SessionEventWriter> {
  return SessionEventWriter.open({
    js: h.nats.js,
    jsm: h.nats.jsm,
    topology: h.topology,
    log: h.store.events,
    sessionId,
    organisationId: user.organisationId,
    agent: 'project_management',
    attempt: 1,
    logger: h.logger,
    flushIntervalMs: 600_000,
  })
}

/**
 * Attempt 1, played by the test, claims the session and records its completion, then dies before any of
 * its final events or its acknowledgement. Returns the recorded result.
 */
async function completeAsAttemptOne(h: PipelineHarness, sessionId: string) {
  expect(await h.store.attempts.start(sessionId)).toMatchObject({ kind: 'started', attempt: 1 })
  const result = { summary: 'There are 0 clients.', count: 0 }
  const completed = await h.store.attempts.complete(sessionId, 1, {
    result,
    agentsInvolved: ['project_management'],
    processingTimeMs: 42,
    inputTokens: 10,
    outputTokens: 5,
  })
  expect(completed).toBe(true)
  return result
}

describe('agent runtime', () => {
  it('completes a request end to end: ordered events, agent_logs, session outcome, one proposal', async () => {
    const { h, close } = await rig()
    try {
      const session = await h.submit(user, { agentType: 'project_management', request: 'propose Acme' })
      const done = await h.waitForStatus(session.id, ['completed', 'failed'])
      expect(done.status).toBe('completed')
      expect(done.agents_involved).toEqual(['project_management'])
      expect(done.processing_time_ms).toBeGreaterThanOrEqual(0)
      expect(done.input_tokens).toBeGreaterThan(0)
      expect(done.output_tokens).toBeGreaterThan(0)
      expect(done.attempts).toBe(1)
      const result = done.result as { summary: string; proposal_id: string; proposal_ids: string[] }
      expect(result.summary).toContain('Proposed Acme.')
      expect(result.proposal_ids).toEqual([result.proposal_id])

      const events = await h.streamEvents(session.id)
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1))
      expect(types(events)).toEqual([
        'status:queued',
        'status:processing',
        'reasoning',
        'tool_call_started',
        'proposal_created',
        'tool_call_finished',
        'reasoning',
        'final_result',
        'status:completed',
      ])
      expect(isTerminalEvent(events.at(-1) as SessionEventEnvelope)).toBe(true)
      const started = events.find((e) => e.type === 'tool_call_started')
      expect(started).toMatchObject({
        agent: 'project_management',
        data: { name: 'propose_client', input: { name: 'Acme' } },
      })
      const finished = events.find((e) => e.type === 'tool_call_finished')
      expect(finished).toMatchObject({ data: { ok: true, summary: 'proposal created' } })
      const final = events.find((e) => e.type === 'final_result')
      expect(final).toMatchObject({
        data: { agents_involved: ['project_management'], usage: { input_tokens: done.input_tokens } },
      })
      // The <result> block is data, never reasoning.
      expect(
        events
          .filter((e) => e.type === 'reasoning')
          .map((e) => (e.data as { text: string }).text)
          .join(''),
      ).not.toContain('<result>')

      const logged = await eventually(
        () => h.loggedEvents(session.id),
        (rows) => rows.length === events.length,
      )
      expect(logged.map(({ attempt: _a, ...e }) => e)).toEqual(events)
      expect(logged.map((e) => e.attempt)).toEqual([0, ...events.slice(1).map(() => 1)])

      const proposals = await h.db.asService((tx) =>
        tx.selectFrom('proposals').selectAll().where('session_id', '=', session.id).execute(),
      )
      expect(proposals).toHaveLength(1)
      expect(proposals[0]).toMatchObject({
        id: result.proposal_id,
        status: 'pending',
        agent_type: 'project_management',
      })
      // Acked after the terminal event is published: wait for the ack rather than race it.
      expect(
        await eventually(
          () => h.pending('project_management'),
          (p) => p.waiting === 0 && p.unacked === 0,
        ),
      ).toMatchObject({ waiting: 0, unacked: 0 })
      expect(await metric(h, 'psa_agent_messages_total', { action: 'ack', reason: 'completed' })).toBe(1)
      expect(await metric(h, 'psa_agent_events_total', { type: 'tool_call_started' })).toBe(1)
      expect(await metric(h, 'psa_agent_tokens_total', { direction: 'input' })).toBe(done.input_tokens)
    } finally {
      await close()
    }
  })

  it('reads the domain as the submitting user (RLS) and coalesces long reasoning into chunks', async () => {
    const { h, close } = await rig()
    try {
      const count = await h.submit(user, { agentType: 'project_management', request: 'count' })
      const chatty = await h.submit(user, { agentType: 'project_management', request: 'chatty' })
      const counted = await h.waitForStatus(count.id, ['completed', 'failed'])
      // A new organisation has no clients, whatever other organisations hold.
      expect(counted.result).toMatchObject({
        count: 0,
        summary: expect.stringContaining('There are 0 clients.'),
      })
      await h.waitForStatus(chatty.id, ['completed', 'failed'])
      const reasoning = (await h.streamEvents(chatty.id)).filter((e) => e.type === 'reasoning')
      const text = reasoning.map((e) => (e.data as { text: string }).text).join('')
      expect(text).toContain(LONG_REASONING)
      // ~7,000 characters in 32-character deltas: a handful of events, not hundreds.
      expect(reasoning.length).toBeGreaterThan(5)
      expect(reasoning.length).toBeLessThan(30)
    } finally {
      await close()
    }
  })

  it('acknowledges a redelivered finished session without doing the work again', async () => {
    const { h, worker, close } = await rig()
    try {
      const session = await h.submit(user, { agentType: 'project_management', request: 'count' })
      await h.waitForStatus(session.id, ['completed'])
      const before = await eventually(
        () => h.streamEvents(session.id),
        (e) => e.length > 0 && isTerminalEvent(e.at(-1) as SessionEventEnvelope),
      )
      const body = JSON.stringify({
        v: 1,
        session_id: session.id,
        organisation_id: user.organisationId,
        user_id: user.id,
        agent_type: 'project_management',
        request: 'count',
        submitted_at: new Date().toISOString(),
      })
      await h.publishRaw('project_management', body, `${session.id}:again`)
      await eventually(
        () => metric(h, 'psa_agent_messages_total', { action: 'ack', reason: 'already_finished' }),
        (n) => n === 1,
      )
      expect(await h.streamEvents(session.id)).toEqual(before)
      expect((await h.session(session.id))?.attempts).toBe(1)
      expect(worker.loop.inFlight).toBe(0)
    } finally {
      await close()
    }
  })

  it('restarts an interrupted session cleanly: same proposal, sequence continues, nothing announced twice', async () => {
    const { h, worker, close } = await rig({}, { start: false })
    try {
      const session = await h.submit(user, { agentType: 'project_management', request: 'propose Globex' })
      // Attempt 1 (played here) claims the session, announces its proposal exactly as the tool would, and
      // dies before its events reach agent_logs and before acknowledging the message.
      expect(await h.store.attempts.start(session.id)).toMatchObject({ kind: 'started', attempt: 1 })
      const dying = await attemptOneWriter(h, session.id)
      await dying.emit({
        type: 'status_changed',
        data: { status: 'processing', message: '', queue_position: 0, attempt: 1 },
      })
      await dying.emit({
        type: 'tool_call_started',
        data: { tool_use_id: 'offline-0-0', name: 'propose_client', input: { name: 'Globex' } },
      })
      const changeset = {
        version: 1 as const,
        operations: [
          {
            op: 'insert' as const,
            table: 'clients',
            values: { id: deterministicUuid(session.id, 'client', 'Globex'), name: 'Globex' },
          },
        ],
      }
      const { proposal } = await h.store.attempts.upsertProposal({
        sessionId: session.id,
        organisationId: user.organisationId,
        agentType: 'project_management',
        idempotencyKey: `propose_client:${sha256Hex(canonicalJson({ title: 'Add client Globex', changeset })).slice(0, 32)}`,
        title: 'Add client Globex',
        summary: 'Adds Globex as a client',
        changeset,
      })
      await dying.emit({
        type: 'proposal_created',
        data: {
          proposal_id: proposal.id,
          title: proposal.title,
          summary: '',
          change_count: 1,
          auto_applied: false,
        },
      })
      expect(await h.loggedEvents(session.id)).toHaveLength(1) // only the queued event reached Postgres

      worker.start()
      const done = await h.waitForStatus(session.id, ['completed', 'failed'])
      expect(done).toMatchObject({ status: 'completed', attempts: 2 })
      expect((done.result as { proposal_ids: string[] }).proposal_ids).toEqual([proposal.id])
      const proposals = await h.db.asService((tx) =>
        tx.selectFrom('proposals').select('id').where('session_id', '=', session.id).execute(),
      )
      expect(proposals).toEqual([{ id: proposal.id }])

      const events = await h.streamEvents(session.id)
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1))
      expect(events.filter((e) => e.type === 'proposal_created')).toHaveLength(1)
      expect(events[4]).toMatchObject({
        type: 'status_changed',
        data: {
          status: 'processing',
          attempt: 2,
          message: expect.stringContaining('after an interrupted attempt'),
        },
      })
      expect(events.find((e) => e.type === 'tool_call_finished' && e.seq > 4)).toMatchObject({
        data: { summary: 'proposal already existed' },
      })
      const logged = await eventually(
        () => h.loggedEvents(session.id),
        (rows) => rows.length === events.length,
      )
      // The dead attempt's events were recovered from JetStream into agent_logs under its own attempt.
      expect(logged.map((e) => e.attempt)).toEqual([0, 1, 1, 1, ...events.slice(4).map(() => 2)])
      expect(logged.map(({ attempt: _a, ...e }) => e)).toEqual(events)
    } finally {
      await close()
    }
  })

  it('cancels a running session on the broadcast: terminal cancelled event, message acknowledged', async () => {
    const { h, close } = await rig()
    try {
      const session = await h.submit(user, { agentType: 'project_management', request: 'slow 20000' })
      await eventually(
        () => h.streamEvents(session.id),
        (events) => events.some((e) => e.type === 'tool_call_started'),
      )
      const cancelledAt = Date.now()
      await h.cancel(user, session.id, 'Changed my mind')
      const done = await h.waitForStatus(session.id, ['cancelled', 'completed', 'failed'])
      expect(Date.now() - cancelledAt).toBeLessThan(5_000)
      expect(done).toMatchObject({
        status: 'cancelled',
        error: { code: 'CANCELLED', message: 'Changed my mind' },
      })
      const events = await eventually(
        () => h.streamEvents(session.id),
        (e) => isTerminalEvent(e.at(-1) as SessionEventEnvelope),
      )
      expect(events.at(-1)).toMatchObject({
        type: 'status_changed',
        data: { status: 'cancelled', message: 'Changed my mind' },
      })
      // Acked after the terminal event is published: wait for the ack rather than race it.
      expect(
        await eventually(
          () => h.pending('project_management'),
          (p) => p.waiting === 0 && p.unacked === 0,
        ),
      ).toMatchObject({ waiting: 0, unacked: 0 })
    } finally {
      await close()
    }
  })

  it('fails with AGENT_TIMEOUT when the request outlives its budget', async () => {
    const { h, close } = await rig({}, { timeoutMs: 400 })
    try {
      const session = await h.submit(user, { agentType: 'project_management', request: 'slow 10000' })
      const done = await h.waitForStatus(session.id, ['failed', 'completed', 'cancelled'])
      expect(done).toMatchObject({ status: 'failed', error: { code: 'AGENT_TIMEOUT' } })
      const events = await eventually(
        () => h.streamEvents(session.id),
        (e) => isTerminalEvent(e.at(-1) as SessionEventEnvelope),
      )
      expect(types(events).slice(-2)).toEqual(['error', 'status:failed'])
      expect(events.at(-2)).toMatchObject({ data: { code: 'AGENT_TIMEOUT', retryable: false } })
    } finally {
      await close()
    }
  })

  it('fails with AGENT_TURN_LIMIT when the agent keeps going', async () => {
    const { h, close } = await rig({}, { maxTurns: 3 })
    try {
      const session = await h.submit(user, { agentType: 'project_management', request: 'loop' })
      const done = await h.waitForStatus(session.id, ['failed', 'completed'])
      expect(done).toMatchObject({ status: 'failed', error: { code: 'AGENT_TURN_LIMIT' } })
      const events = await h.streamEvents(session.id)
      expect(events.filter((e) => e.type === 'tool_call_started')).toHaveLength(3)
    } finally {
      await close()
    }
  })

  it('terminates messages that are not work items', async () => {
    const { h, close } = await rig()
    try {
      await h.publishRaw('project_management', 'this is not json', 'junk-1')
      await h.publishRaw('project_management', JSON.stringify({ v: 1, session_id: 'nope' }), 'junk-2')
      await eventually(
        () => metric(h, 'psa_agent_messages_total', { action: 'term', reason: 'invalid_message' }),
        (n) => n === 2,
      )
      // Acked after the terminal event is published: wait for the ack rather than race it.
      expect(
        await eventually(
          () => h.pending('project_management'),
          (p) => p.waiting === 0 && p.unacked === 0,
        ),
      ).toMatchObject({ waiting: 0, unacked: 0 })
    } finally {
      await close()
    }
  })

  it('holds a work item whose session row is not committed yet (no delivery burned), and terminates one whose row never appears', async () => {
    const { h, close } = await rig({}, { processor: { missingSessionGraceMs: 3_000 } })
    try {
      const item = (sessionId: string) =>
        JSON.stringify({
          v: 1,
          session_id: sessionId,
          organisation_id: user.organisationId,
          user_id: user.id,
          agent_type: 'project_management',
          request: 'count',
          submitted_at: new Date().toISOString(),
        })
      // An admission whose commit stalls for 2.5 s: before, three quick naks and a term left it queued forever.
      const late = crypto.randomUUID()
      await h.publishRaw('project_management', item(late), `late-${late}`)
      await new Promise((r) => setTimeout(r, 2_500))
      await h.db.asService((tx) =>
        tx
          .insertInto('agent_sessions')
          .values({
            id: late,
            organisation_id: user.organisationId,
            user_id: user.id,
            agent_type: 'project_management',
            request: 'count',
          })
          .execute(),
      )
      expect(await h.waitForStatus(late, ['completed', 'failed'])).toMatchObject({
        status: 'completed',
        attempts: 1,
      })
      await h.publishRaw('project_management', item(crypto.randomUUID()), 'missing-1')
      await eventually(
        () => metric(h, 'psa_agent_messages_total', { action: 'term', reason: 'session_missing' }),
        (n) => n === 1,
      )
      expect(
        await metric(h, 'psa_agent_messages_total', { action: 'nak', reason: 'session_not_yet_visible' }),
      ).toBe(0)
      expect((await h.pending('project_management')).redelivered).toBe(0)
    } finally {
      await close()
    }
  })

  it('holds the request while the database is unreachable (no delivery burned), hands it back on shutdown, and another worker completes it', async () => {
    const { h, close } = await rig({ ackWaitMs: 1_000 }, { start: false })
    const unreachable = new Database({
      env: databaseEnvSchema.parse({
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
        DATABASE_CONNECT_TIMEOUT_S: '2',
      }),
      applicationName: 'runtime-test-down',
      logger: h.logger,
    })
    const broken = newWorker(h, { db: unreachable })
    try {
      const session = await h.submit(user, { agentType: 'project_management', request: 'count' })
      broken.start()
      // Three ack waits: without in-progress acks the message would have been redelivered.
      await new Promise((r) => setTimeout(r, 3_500))
      expect(await metric(h, 'psa_agent_messages_total', { action: 'nak', reason: 'claim_failed' })).toBe(0)
      expect((await h.pending('project_management')).redelivered).toBe(0)
      await broken.stop(1_000)
      expect(await metric(h, 'psa_agent_messages_total', { action: 'nak', reason: 'claim_failed' })).toBe(1)
      expect((await h.session(session.id))?.status).toBe('queued')
      const healthy = newWorker(h)
      healthy.start()
      try {
        const done = await h.waitForStatus(session.id, ['completed', 'failed'])
        expect(done).toMatchObject({ status: 'completed', attempts: 1 })
      } finally {
        await healthy.stop(1_000)
      }
    } finally {
      await broken.stop(100)
      await unreachable.close().catch(() => {})
      await close()
    }
  })

  it('retries a transient tool failure, then dead-letters it on the last delivery', async () => {
    const { h, close } = await rig({ maxDeliver: 2 })
    try {
      const session = await h.submit(user, { agentType: 'project_management', request: 'flaky' })
      const done = await h.waitForStatus(session.id, ['failed', 'completed'], 20_000)
      expect(done).toMatchObject({ status: 'failed', error: { code: 'DEAD_LETTERED' }, attempts: 2 })
      const letters = await h.db.asService((tx) =>
        tx.selectFrom('agent_dead_letters').selectAll().where('session_id', '=', session.id).execute(),
      )
      expect(letters).toHaveLength(1)
      expect(letters[0]).toMatchObject({ deliveries: 2, agent_type: 'project_management' })
      expect(letters[0]?.reason).toContain('flaky')
      const events = await eventually(
        () => h.streamEvents(session.id),
        (e) => isTerminalEvent(e.at(-1) as SessionEventEnvelope),
      )
      expect(types(events).slice(-2)).toEqual(['error', 'status:failed'])
      expect(events.at(-2)).toMatchObject({ data: { code: 'DEAD_LETTERED' } })
      // The first delivery's failure was handed back with a note for watchers.
      expect(
        events.some(
          (e) =>
            e.type === 'status_changed' && e.data.message.startsWith('Interrupted by a temporary problem'),
        ),
      ).toBe(true)
      await eventually(
        () => h.pending('project_management'),
        (p) => p.waiting === 0 && p.unacked === 0,
      )
      expect(await metric(h, 'psa_agent_messages_total', { action: 'term', reason: 'dead_lettered' })).toBe(1)
    } finally {
      await close()
    }
  })

  it('hands in-flight work back on shutdown, and the next worker restarts it', async () => {
    const { h, worker, close } = await rig()
    try {
      const session = await h.submit(user, { agentType: 'project_management', request: 'slow 3000' })
      await eventually(
        () => h.streamEvents(session.id),
        (events) => events.some((e) => e.type === 'tool_call_started'),
      )
      const drained = await worker.stop(200)
      expect(drained).toBe(false)
      expect(worker.loop.inFlight).toBe(0)
      expect((await h.session(session.id))?.status).toBe('processing')
      expect(
        await metric(h, 'psa_agent_messages_total', { action: 'nak', reason: 'handed_back_on_shutdown' }),
      ).toBe(1)
      const events = await h.streamEvents(session.id)
      expect(events.at(-1)).toMatchObject({
        type: 'status_changed',
        data: { status: 'processing', message: expect.stringContaining('shutting down') },
      })
      const next = newWorker(h)
      next.start()
      try {
        const done = await h.waitForStatus(session.id, ['completed', 'failed'])
        expect(done).toMatchObject({ status: 'completed', attempts: 2 })
      } finally {
        await next.stop(1_000)
      }
    } finally {
      await close()
    }
  })

  it('keeps a request longer than the ack wait from being redelivered (in-progress acks)', async () => {
    const { h, close } = await rig({ ackWaitMs: 1_000 })
    try {
      const session = await h.submit(user, { agentType: 'project_management', request: 'slow 3500' })
      const done = await h.waitForStatus(session.id, ['completed', 'failed'])
      expect(done).toMatchObject({ status: 'completed', attempts: 1 })
      // The row is completed before the message is acked (outcome first, then events, then the ack).
      const pending = await eventually(
        () => h.pending('project_management'),
        (p) => p.unacked === 0,
      )
      expect(pending).toMatchObject({ waiting: 0, unacked: 0, redelivered: 0 })
      expect(await metric(h, 'psa_agent_messages_total', { reason: 'already_finished' })).toBe(0)
    } finally {
      await close()
    }
  })

  it('honours a cancel recorded on the session even when the broadcast was missed', async () => {
    const { h, close } = await rig({ ackWaitMs: 1_500 })
    try {
      const session = await h.submit(user, { agentType: 'project_management', request: 'slow 20000' })
      await eventually(
        () => h.streamEvents(session.id),
        (events) => events.some((e) => e.type === 'tool_call_started'),
      )
      await h.store.cancel(user.claims, session.id, 'Recorded only') // no broadcast
      const done = await h.waitForStatus(session.id, ['cancelled', 'completed', 'failed'], 5_000)
      expect(done).toMatchObject({
        status: 'cancelled',
        error: { code: 'CANCELLED', message: 'Recorded only' },
      })
    } finally {
      await close()
    }
  })

  it('stops a restarted attempt at once when its claim finds a cancel recorded after the last attempt died', async () => {
    const { h, worker, close } = await rig({}, { start: false })
    try {
      const session = await h.submit(user, { agentType: 'project_management', request: 'slow 20000' })
      expect(await h.store.attempts.start(session.id)).toMatchObject({ kind: 'started', attempt: 1 })
      await h.store.cancel(user.claims, session.id, 'Recorded while interrupted') // no broadcast
      worker.start()
      const done = await h.waitForStatus(session.id, ['cancelled', 'completed', 'failed'], 5_000)
      expect(done).toMatchObject({
        status: 'cancelled',
        attempts: 2,
        error: { code: 'CANCELLED', message: 'Recorded while interrupted' },
      })
    } finally {
      await close()
    }
  })

  it('writes the final events of a session whose attempt completed it but died before publishing them', async () => {
    const { h, worker, close } = await rig({}, { start: false })
    try {
      const session = await h.submit(user, { agentType: 'project_management', request: 'count' })
      await completeAsAttemptOne(h, session.id)
      worker.start() // the message is still queued: the dead attempt never acknowledged it
      await eventually(
        () => metric(h, 'psa_agent_messages_total', { action: 'ack', reason: 'already_finished' }),
        (n) => n === 1,
      )
      const events = await h.streamEvents(session.id)
      expect(types(events)).toEqual(['status:queued', 'final_result', 'status:completed'])
      expect(events[1]).toMatchObject({
        data: {
          text: 'There are 0 clients.',
          usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
          processing_time_ms: 42,
        },
      })
      await expect.poll(async () => (await h.loggedEvents(session.id)).length).toBe(3)
      expect((await h.session(session.id))?.attempts).toBe(1)
    } finally {
      await close()
    }
  })

  it('ends the log once when an attempt cannot persist its last events after completing (no interruption after them)', async () => {
    const { h, worker, close } = await rig({}, { start: false })
    try {
      // The database refuses the batch holding the terminal events once: the completion is committed, its
      // events are in JetStream only, and the attempt hands the message back.
      const events = worker.store.events
      const append = events.append.bind(events)
      let refused = 0
      events.append = async (organisationId, attempt, batch) => {
        if (refused === 0 && batch.some((e) => isTerminalEvent(e))) {
          refused += 1
          throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' })
        }
        return append(organisationId, attempt, batch)
      }
      worker.start()
      const session = await h.submit(user, { agentType: 'project_management', request: 'count' })
      await h.waitForStatus(session.id, ['completed'])
      await eventually(
        () => metric(h, 'psa_agent_messages_total', { action: 'ack', reason: 'already_finished' }),
        (n) => n === 1,
      )
      expect(refused).toBe(1)
      const streamed = types(await h.streamEvents(session.id))
      expect(streamed.slice(-2)).toEqual(['final_result', 'status:completed'])
      expect(streamed.filter((t) => t === 'final_result')).toHaveLength(1)
      await expect.poll(async () => (await h.loggedEvents(session.id)).length).toBe(streamed.length)
    } finally {
      await close()
    }
  })

  it('adds only the missing status when an attempt died between its final result and its status', async () => {
    const { h, worker, close } = await rig({}, { start: false })
    try {
      const session = await h.submit(user, { agentType: 'project_management', request: 'count' })
      const result = await completeAsAttemptOne(h, session.id)
      const dying = await attemptOneWriter(h, session.id)
      await dying.emit({
        type: 'final_result',
        data: {
          result,
          text: result.summary,
          usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
          agents_involved: ['project_management'],
          processing_time_ms: 42,
        },
      })
      worker.start() // the attempt died before its status and its acknowledgement
      await eventually(
        () => metric(h, 'psa_agent_messages_total', { action: 'ack', reason: 'already_finished' }),
        (n) => n === 1,
      )
      expect(types(await h.streamEvents(session.id))).toEqual([
        'status:queued',
        'final_result',
        'status:completed',
      ])
      await expect.poll(async () => (await h.loggedEvents(session.id)).length).toBe(3)
    } finally {
      await close()
    }
  })
})
