import { Client, credentials, type ServiceError, status } from '@grpc/grpc-js'
import {
  cancelCommandSchema,
  lastStreamSeq,
  type SessionEventEnvelope,
  workItemSchema,
} from '@psa/agent-pipeline'
import { formatTraceparent } from '@psa/config'
import {
  AgentRequest,
  type AgentResponse,
  AgentType,
  agentTypeToProto,
  type GetQueuePositionResponse,
  type ListSessionsResponse,
  SessionStatus,
} from '@psa/proto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readJetStreamEvents } from './jetstream-events.js'
import { type Harness, startHarness } from './testing/harness.js'

let h: Harness

beforeAll(async () => {
  h = await startHarness('svc', { MAX_IN_FLIGHT_PER_USER: '3', CANCEL_WAIT_MS: '3000' })
})
afterAll(async () => {
  await h?.close()
})

const session = (id: string) =>
  h.orchestrator.store.db.asService((tx) =>
    tx.selectFrom('agent_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
  )

async function storedEvents(sessionId: string): Promise<SessionEventEnvelope[]> {
  const { js, jsm } = h.orchestrator.nats
  const { topology } = h.orchestrator
  const untilSeq = await lastStreamSeq(jsm, topology, sessionId)
  return readJetStreamEvents({ js, topology, sessionId, afterSeq: 0, untilSeq, logger: h.logger })
}

async function requestsOnSubject(type: Parameters<typeof h.orchestrator.topology.requestSubject>[0]) {
  const info = await h.orchestrator.nats.jsm.streams.info(h.orchestrator.topology.requestsStream, {
    subjects_filter: h.orchestrator.topology.requestSubject(type),
  })
  return info.state.subjects?.[h.orchestrator.topology.requestSubject(type)] ?? 0
}

describe('SubmitRequest', () => {
  it('persists the session as queued, answers with its position, writes event 1 and queues the work', async () => {
    const { alice } = h.tenants
    const traceparent = formatTraceparent({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), sampled: true })
    const response = await h.call<AgentResponse>(
      'submitRequest',
      {
        type: AgentType.AGENT_TYPE_PROJECT_MANAGEMENT,
        request: 'Plan a 12-week website rebuild for Acme starting 5 Jan, budget $150k',
        context: { client: 'Acme', weeks: 12 },
        // The customer's AgentRequest names its user: the caller's own id is accepted.
        userId: alice.id,
      },
      await h.as(alice, { traceparent }),
    )
    expect(response.status).toBe(SessionStatus.SESSION_STATUS_QUEUED)
    expect(response.queuePosition).toBe(1)
    expect(response.lastEventSeq).toBe(1)
    expect(response.userId).toBe(alice.id)
    expect(response.organisationId).toBe(h.tenants.orgA)
    expect(response.type).toBe(AgentType.AGENT_TYPE_PROJECT_MANAGEMENT)
    expect(response.context).toEqual({ client: 'Acme', weeks: 12 })

    const row = await session(response.sessionId)
    expect(row.status).toBe('queued')
    expect(row.trace_id).toBe('a'.repeat(32))

    const events = await storedEvents(response.sessionId)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      seq: 1,
      type: 'status_changed',
      data: { status: 'queued', queue_position: 1 },
    })
    const persisted = await h.orchestrator.store.events.after(null, response.sessionId, 0)
    expect(persisted.map((e) => e.seq)).toEqual([1])

    const work = await h.fetchWork('project_management')
    expect(work).toBeDefined()
    const item = workItemSchema.parse(work?.json())
    expect(item).toMatchObject({
      session_id: response.sessionId,
      organisation_id: h.tenants.orgA,
      user_id: alice.id,
      user_email: alice.email,
      agent_type: 'project_management',
      context: { client: 'Acme', weeks: 12 },
    })
    expect(work?.headers?.get('Nats-Msg-Id')).toBe(response.sessionId)
    expect(work?.headers?.get('traceparent')).toMatch(new RegExp(`^00-${'a'.repeat(32)}-[0-9a-f]{16}-01$`))
    // Hand it back, as a worker that found the session finished would.
    await h.orchestrator.store.cancel(
      { sub: alice.id, role: 'authenticated' },
      response.sessionId,
      'test cleanup',
    )
    work?.ack()
  })

  it('is idempotent on session_id: the same session comes back and the work is queued once', async () => {
    const { bob } = h.tenants
    const sessionId = crypto.randomUUID()
    const request = {
      type: AgentType.AGENT_TYPE_QUOTES,
      request: 'Quote 200h senior dev at 30% margin',
      sessionId,
    }
    const first = await h.call<AgentResponse>('submitRequest', request, bob)
    const second = await h.call<AgentResponse>('submitRequest', request, bob)
    expect(second.sessionId).toBe(sessionId)
    expect(second.createdAt).toEqual(first.createdAt)
    expect(second.status).toBe(SessionStatus.SESSION_STATUS_QUEUED)
    expect(second.queuePosition).toBe(first.queuePosition)
    expect(await requestsOnSubject('quotes')).toBe(1)
    expect((await storedEvents(sessionId)).map((e) => e.seq)).toEqual([1])

    const reused = await h.callError('submitRequest', { ...request, request: 'Something else' }, bob)
    expect(reused.error.code).toBe(status.ALREADY_EXISTS)
    expect(reused.appError.code).toBe('ALREADY_EXISTS')

    // Another user cannot take over (or learn about) the id.
    const foreign = await h.callError('submitRequest', request, h.tenants.carol)
    expect(foreign.error.code).toBe(status.ALREADY_EXISTS)
    await h.call('cancelSession', { sessionId, reason: 'done' }, bob)
  })

  it('queues a submit whose earlier attempt published and rolled back exactly once', async () => {
    const { bob } = h.tenants
    const { js } = h.orchestrator.nats
    const subject = h.orchestrator.topology.requestSubject('orchestrator')
    const orphan = (id: string) =>
      js.publish(subject, JSON.stringify({ v: 1, session_id: id, orphan: true }), { msgID: id })
    const request = (sessionId: string) => ({
      type: AgentType.AGENT_TYPE_ORCHESTRATOR,
      request: 'Set up Acme',
      sessionId,
    })

    // The rolled-back attempt's message is still queued: the new submit adds nothing.
    const waiting = crypto.randomUUID()
    await orphan(waiting)
    await h.call('submitRequest', request(waiting), bob)
    expect(await requestsOnSubject('orchestrator')).toBe(1)
    const first = await h.fetchWork('orchestrator')
    expect(first?.json()).toMatchObject({ session_id: waiting, orphan: true })
    first?.ack()

    // A worker already dropped it (no session then): the submit queues the work again.
    const dropped = crypto.randomUUID()
    await orphan(dropped)
    const junk = await h.fetchWork('orchestrator')
    junk?.term()
    await expect.poll(() => requestsOnSubject('orchestrator')).toBe(0)
    await h.call('submitRequest', request(dropped), bob)
    expect(await requestsOnSubject('orchestrator')).toBe(1)
    const requeued = await h.fetchWork('orchestrator')
    expect(workItemSchema.parse(requeued?.json()).session_id).toBe(dropped)
    requeued?.ack()
    for (const id of [waiting, dropped]) await h.call('cancelSession', { sessionId: id }, bob)
  })

  it('refuses more in-flight sessions than the per-user limit with RESOURCE_EXHAUSTED', async () => {
    const { carol } = h.tenants
    const ids = [await h.submit(carol), await h.submit(carol), await h.submit(carol)]
    const refused = await h.callError(
      'submitRequest',
      { type: AgentType.AGENT_TYPE_RESOURCING, request: 'Who can staff Acme?' },
      carol,
    )
    expect(refused.error.code).toBe(status.RESOURCE_EXHAUSTED)
    expect(refused.appError.code).toBe('TOO_MANY_IN_FLIGHT')
    expect(refused.appError.details).toEqual({ in_flight: 3, limit: 3 })
    expect(refused.error.details).toMatch(/limit 3/)

    await h.call('cancelSession', { sessionId: ids[0], reason: '' }, carol)
    const admitted = await h.submit(carol)
    for (const id of [ids[1], ids[2], admitted]) await h.call('cancelSession', { sessionId: id }, carol)
  })

  it('refuses viewers, auto-apply below manager, and users without an organisation', async () => {
    const viewer = await h.callError(
      'submitRequest',
      { type: AgentType.AGENT_TYPE_QUOTES, request: 'Quote it' },
      h.tenants.victor,
    )
    expect(viewer.error.code).toBe(status.PERMISSION_DENIED)
    expect(viewer.appError.code).toBe('FORBIDDEN')

    const autoApply = await h.callError(
      'submitRequest',
      { type: AgentType.AGENT_TYPE_QUOTES, request: 'Quote it', autoApply: true },
      h.tenants.alice,
    )
    expect(autoApply.error.code).toBe(status.PERMISSION_DENIED)
    expect(autoApply.error.details).toMatch(/managers/)

    const manager = await h.call<AgentResponse>(
      'submitRequest',
      { type: AgentType.AGENT_TYPE_QUOTES, request: 'Quote it', autoApply: true },
      h.tenants.maria,
    )
    expect(manager.autoApply).toBe(true)
    await h.call('cancelSession', { sessionId: manager.sessionId }, h.tenants.maria)

    const nobody = await h.callError(
      'submitRequest',
      { type: AgentType.AGENT_TYPE_QUOTES, request: 'Quote it' },
      h.tenants.nobody,
    )
    expect(nobody.appError.code).toBe('FORBIDDEN')

    const otherOrg = await h.callError(
      'submitRequest',
      { type: AgentType.AGENT_TYPE_QUOTES, request: 'Quote it', organisationId: h.tenants.orgB },
      h.tenants.alice,
    )
    expect(otherOrg.error.code).toBe(status.NOT_FOUND)
  })

  it('refuses a user_id that is not the caller’s with PERMISSION_DENIED / USER_MISMATCH, queueing nothing', async () => {
    const { alice, bob } = h.tenants
    const sessionId = crypto.randomUUID()
    for (const userId of [bob.id, 'someone-else']) {
      const refused = await h.callError(
        'submitRequest',
        { type: AgentType.AGENT_TYPE_QUOTES, request: 'Quote it', sessionId, userId },
        alice,
      )
      expect(refused.error.code).toBe(status.PERMISSION_DENIED)
      expect(refused.appError).toMatchObject({ code: 'USER_MISMATCH', details: { field: 'user_id' } })
    }
    const rows = await h.orchestrator.store.db.asService((tx) =>
      tx.selectFrom('agent_sessions').select('id').where('id', '=', sessionId).execute(),
    )
    expect(rows).toEqual([])
  })

  it('validates every field with INVALID_ARGUMENT and names the fields in error-details-bin', async () => {
    const { alice } = h.tenants
    const cases: [object, string][] = [
      [{ type: AgentType.AGENT_TYPE_UNSPECIFIED, request: 'x' }, 'type'],
      [{ type: AgentType.UNRECOGNIZED, request: 'x' }, 'type'],
      [{ type: AgentType.AGENT_TYPE_QUOTES, request: '   \n ' }, 'request'],
      [{ type: AgentType.AGENT_TYPE_QUOTES, request: 'x'.repeat(20_001) }, 'request'],
      [{ type: AgentType.AGENT_TYPE_QUOTES, request: 'x', context: { blob: 'y'.repeat(70_000) } }, 'context'],
      [{ type: AgentType.AGENT_TYPE_QUOTES, request: 'x', context: nested(33) }, 'context'],
      [{ type: AgentType.AGENT_TYPE_QUOTES, request: 'x', sessionId: 'not-a-uuid' }, 'session_id'],
      [{ type: AgentType.AGENT_TYPE_QUOTES, request: 'x', organisationId: '123' }, 'organisation_id'],
      [{ type: AgentType.AGENT_TYPE_QUOTES, request: 'x', parentSessionId: 'nope' }, 'parent_session_id'],
    ]
    for (const [request, field] of cases) {
      const { error, appError } = await h.callError('submitRequest', request, alice)
      expect(error.code, field).toBe(status.INVALID_ARGUMENT)
      expect(appError.code).toBe('VALIDATION_FAILED')
      expect(error.details).toContain(field)
      const issues = (appError.details as { issues: { field: string; message: string }[] }).issues
      expect(issues.map((i) => i.field)).toContain(field)
    }
    const list = await h.callError('listSessions', { pageSize: 101 }, alice)
    expect(list.error.code).toBe(status.INVALID_ARGUMENT)
    const token = await h.callError('listSessions', { pageToken: 'garbage' }, alice)
    expect(token.error.code).toBe(status.INVALID_ARGUMENT)
    expect(token.error.details).toMatch(/page_token/)
    const stream = await h.callError('getSession', { sessionId: '' }, alice)
    expect(stream.error.code).toBe(status.INVALID_ARGUMENT)
  })

  it('answers UNAUTHENTICATED for missing, malformed, foreign and expired tokens', async () => {
    const request = { type: AgentType.AGENT_TYPE_QUOTES, request: 'Quote it' }
    const missing = await h.callError('submitRequest', request, null)
    expect(missing.error.code).toBe(status.UNAUTHENTICATED)
    expect(missing.appError.details).toEqual({ reason: 'missing_token' })

    const garbage = await h.as(null, { authorization: 'Bearer not.a.jwt' })
    const malformed = await h.callError('getSession', { sessionId: crypto.randomUUID() }, garbage)
    expect(malformed.error.code).toBe(status.UNAUTHENTICATED)
    expect(malformed.appError.details).toMatchObject({ reason: 'malformed_token' })

    const basic = await h.as(null, { authorization: 'Basic dXNlcjpwYXNz' })
    expect((await h.callError('listSessions', {}, basic)).appError.details).toMatchObject({
      reason: 'invalid_authorization_header',
    })

    const expiredToken = await h.auth.token(h.tenants.alice, { ttlSec: 1 })
    await new Promise((r) => setTimeout(r, 1_100))
    // The verifier tolerates 30 s of clock skew; a token minted an hour ago is expired for good.
    const old = await h.auth.issuer.mintAccessToken(h.tenants.alice, {
      now: new Date(Date.now() - 3_600_000),
      ttlSec: 60,
    })
    const expired = await h.callError(
      'listSessions',
      {},
      await h.as(null, { authorization: `Bearer ${old.accessToken}` }),
    )
    expect(expired.error.code).toBe(status.UNAUTHENTICATED)
    expect(expired.appError.details).toMatchObject({ reason: 'token_expired' })
    expect(expiredToken).toBeTruthy()
  })
})

describe('queue position', () => {
  it('falls as earlier sessions leave the queue (a worker takes them in FIFO order)', async () => {
    const { alice, bob } = h.tenants
    const first = await h.submit(alice, { agentType: 'resourcing' })
    const second = await h.submit(bob, { agentType: 'resourcing' })
    const third = await h.submit(alice, { agentType: 'resourcing' })
    const position = async (id: string, user = alice) =>
      h.call<GetQueuePositionResponse>('getQueuePosition', { sessionId: id }, user)
    expect(await position(first)).toMatchObject({
      position: 1,
      queueDepth: 3,
      status: SessionStatus.SESSION_STATUS_QUEUED,
    })
    expect(await position(second)).toMatchObject({ position: 2, queueDepth: 3 })
    expect(await position(third)).toMatchObject({ position: 3, queueDepth: 3 })

    // A worker takes the oldest request: fetch, startAttempt, complete, ack.
    const work = await h.fetchWork('resourcing')
    const item = workItemSchema.parse(work?.json())
    expect(item.session_id).toBe(first)
    const started = await h.orchestrator.store.attempts.start(item.session_id)
    expect(started.kind).toBe('started')
    expect(await position(first)).toMatchObject({
      position: 0,
      status: SessionStatus.SESSION_STATUS_PROCESSING,
    })
    expect(await position(second)).toMatchObject({ position: 1, queueDepth: 2 })
    expect(await position(third)).toMatchObject({ position: 2, queueDepth: 2 })
    // processing_time_ms is always a number: 0 while queued, the time since it started while processing.
    const queued = await h.call<AgentResponse>('getSession', { sessionId: second }, bob)
    expect(queued.processingTimeMs).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 20))
    const running = await h.call<AgentResponse>('getSession', { sessionId: first }, alice)
    expect(running.processingTimeMs).toBeGreaterThanOrEqual(15)
    expect(running.processingTimeMs).toBeLessThanOrEqual(Date.now() - (running.startedAt as Date).getTime())
    const completed = await h.orchestrator.store.attempts.complete(item.session_id, 1, {
      result: { ok: true },
      agentsInvolved: ['resourcing'],
      processingTimeMs: 5,
      inputTokens: 1,
      outputTokens: 2,
    })
    expect(completed).toBe(true)
    work?.ack()

    // Cancelling the next one moves the last to the front.
    await h.call('cancelSession', { sessionId: second }, bob)
    expect(await position(third)).toMatchObject({ position: 1, queueDepth: 1 })
    const done = await h.call<AgentResponse>('getSession', { sessionId: first }, alice)
    expect(done).toMatchObject({
      status: SessionStatus.SESSION_STATUS_COMPLETED,
      result: { ok: true },
      queuePosition: 0,
      processingTimeMs: 5,
    })
    expect(done.usage).toEqual({ inputTokens: 1, outputTokens: 2, totalTokens: 3 })
    await h.call('cancelSession', { sessionId: third }, alice)
    // Drain the cancelled requests as workers would.
    for (
      let msg = await h.fetchWork('resourcing', 1_000);
      msg;
      msg = await h.fetchWork('resourcing', 1_000)
    ) {
      expect(
        (await h.orchestrator.store.attempts.start(workItemSchema.parse(msg.json()).session_id)).kind,
      ).toBe('finished')
      msg.ack()
    }
  })
})

describe('CancelSession', () => {
  it('cancels a queued session at once: its event is written and no worker ever processes it', async () => {
    const { alice } = h.tenants
    const id = await h.submit(alice, { agentType: 'orchestrator' })
    const cancelled = await h.call<AgentResponse>(
      'cancelSession',
      { sessionId: id, reason: 'Changed my mind' },
      alice,
    )
    expect(cancelled.status).toBe(SessionStatus.SESSION_STATUS_CANCELLED)
    expect(cancelled.errorCode).toBe('CANCELLED')
    expect(cancelled.error).toBe('Changed my mind')
    expect(cancelled.lastEventSeq).toBe(2)
    const events = await storedEvents(id)
    expect(events.map((e) => [e.seq, e.type, e.type === 'status_changed' && e.data.status])).toEqual([
      [1, 'status_changed', 'queued'],
      [2, 'status_changed', 'cancelled'],
    ])
    // The worker receives the message, but its check finds the session finished and only acks it.
    const work = await h.fetchWork('orchestrator')
    expect(workItemSchema.parse(work?.json()).session_id).toBe(id)
    const attempt = await h.orchestrator.store.attempts.start(id)
    expect(attempt.kind).toBe('finished')
    work?.ack()
    expect((await session(id)).attempts).toBe(0)

    const again = await h.callError('cancelSession', { sessionId: id }, alice)
    expect(again.error.code).toBe(status.FAILED_PRECONDITION)
    expect(again.appError.code).toBe('INVALID_STATE')
  })

  it('asks the worker of a running session to stop and answers once it confirms', async () => {
    const { bob, alice, maria } = h.tenants
    const id = await h.submit(bob, { agentType: 'orchestrator' })
    const work = await h.fetchWork('orchestrator')
    const started = await h.orchestrator.store.attempts.start(id)
    if (started.kind !== 'started') throw new Error('not started')
    const writer = await h.workerWriter(id, started.attempt)
    await writer.emit({
      type: 'status_changed',
      data: { status: 'processing', message: '', queue_position: 0, attempt: 1 },
    })

    // A worker: listens for cancel commands, aborts, marks the session cancelled, writes the final event.
    const commands: unknown[] = []
    const sub = h.orchestrator.nats.nc.subscribe(h.orchestrator.topology.cancelSubject, {
      callback: (_err, msg) => {
        const command = cancelCommandSchema.parse(msg.json())
        commands.push(command)
        if (command.session_id !== id) return
        void (async () => {
          await h.orchestrator.store.attempts.markCancelled(id, started.attempt, command.reason)
          await writer.emit({
            type: 'status_changed',
            data: { status: 'cancelled', message: command.reason, queue_position: 0, attempt: 1 },
          })
          await writer.close()
          work?.ack()
        })()
      },
    })
    await h.orchestrator.nats.nc.flush()

    // A member who did not submit it cannot cancel it; a manager can.
    const refused = await h.callError('cancelSession', { sessionId: id }, alice)
    expect(refused.error.code).toBe(status.PERMISSION_DENIED)
    const response = await h.call<AgentResponse>(
      'cancelSession',
      { sessionId: id, reason: 'Wrong client' },
      maria,
    )
    sub.unsubscribe()
    expect(commands).toEqual([{ session_id: id, reason: 'Wrong client', requested_by: maria.id }])
    expect(response.status).toBe(SessionStatus.SESSION_STATUS_CANCELLED)
    expect(response.lastEventSeq).toBe(3)
    expect(await h.orchestrator.store.attempts.cancelRequest(id)).toEqual({ reason: 'Wrong client' })
  })
})

describe('ListSessions and GetSession', () => {
  it('pages newest first without gaps or repeats, and filters by user, status and type', async () => {
    const { oscar } = h.tenants
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      ids.push(
        await h.submit(oscar, {
          agentType: i % 2 ? 'quotes' : 'project_management',
          request: `Request ${i}`,
        }),
      )
      if (i % 2 === 0) await h.call('cancelSession', { sessionId: ids[i] }, oscar)
    }
    // Oscar's organisation holds only these.
    const seen: string[] = []
    let pageToken = ''
    let pages = 0
    do {
      const page = await h.call<ListSessionsResponse>('listSessions', { pageSize: 2, pageToken }, oscar)
      seen.push(...page.sessions.map((s) => s.sessionId))
      pageToken = page.nextPageToken
      pages++
    } while (pageToken)
    expect(pages).toBe(3)
    expect(seen).toEqual([...ids].reverse())

    const cancelledOnly = await h.call<ListSessionsResponse>(
      'listSessions',
      { status: SessionStatus.SESSION_STATUS_CANCELLED },
      oscar,
    )
    expect(cancelledOnly.sessions.map((s) => s.sessionId).sort()).toEqual([ids[0], ids[2], ids[4]].sort())
    const quotes = await h.call<ListSessionsResponse>(
      'listSessions',
      { type: agentTypeToProto('quotes') },
      oscar,
    )
    expect(quotes.sessions.map((s) => s.sessionId).sort()).toEqual([ids[1], ids[3]].sort())
    expect(quotes.sessions.every((s) => s.queuePosition > 0 && s.lastEventSeq === 1)).toBe(true)

    // Alice's organisation sees none of Oscar's; mine_only narrows to the caller's own.
    const orgA = await h.call<ListSessionsResponse>('listSessions', { pageSize: 100 }, h.tenants.alice)
    expect(orgA.sessions.some((s) => ids.includes(s.sessionId))).toBe(false)
    expect(orgA.sessions.some((s) => s.userId === h.tenants.bob.id)).toBe(true)
    const mine = await h.call<ListSessionsResponse>(
      'listSessions',
      { pageSize: 100, mineOnly: true },
      h.tenants.alice,
    )
    expect(mine.sessions.length).toBeGreaterThan(0)
    expect(mine.sessions.every((s) => s.userId === h.tenants.alice.id)).toBe(true)
    for (const id of [ids[1], ids[3]]) await h.call('cancelSession', { sessionId: id }, oscar)
  })

  it("reports another organisation's session as NOT_FOUND on every RPC", async () => {
    const id = await h.submit(h.tenants.oscar, { agentType: 'quotes' })
    for (const method of ['getSession', 'cancelSession', 'getQueuePosition'] as const) {
      const { error, appError } = await h.callError(method, { sessionId: id }, h.tenants.alice)
      expect(error.code, method).toBe(status.NOT_FOUND)
      expect(appError.details).toEqual({ session_id: id })
    }
    const stream = await h.stream({ sessionId: id }, h.tenants.alice)
    await expect(h.collect(stream)).rejects.toMatchObject({ code: status.NOT_FOUND })
    const own = await h.call<AgentResponse>('getSession', { sessionId: id }, h.tenants.oscar)
    expect(own.status).toBe(SessionStatus.SESSION_STATUS_QUEUED)
    await h.call('cancelSession', { sessionId: id }, h.tenants.oscar)
  })
})

describe('hostile messages', () => {
  it('answers INVALID_ARGUMENT, not INTERNAL, for a message the decoder cannot take', async () => {
    const head = Buffer.from(
      AgentRequest.encode(
        AgentRequest.fromPartial({ type: AgentType.AGENT_TYPE_QUOTES, request: 'x' }),
      ).finish(),
    )
    const raw = new Client(h.address, credentials.createInsecure())
    const send = (bytes: Buffer) =>
      new Promise<ServiceError>((resolve, reject) =>
        raw.makeUnaryRequest(
          '/psa.v1.AgentService/SubmitRequest',
          (b: Buffer) => b,
          (b: Buffer) => b,
          bytes,
          // biome-ignore lint/style/noNonNullAssertion: the call above set it
          metadata!,
          (err) => (err ? resolve(err) : reject(new Error('accepted'))),
        ),
      )
    const metadata = await h.as(h.tenants.alice)
    try {
      // A Struct nested 5,000 levels in ~30 KB, as no client library would build it.
      const deep = await send(Buffer.concat([head, field(3, deepStruct(5_000))]))
      expect(deep.code).toBe(status.INVALID_ARGUMENT)
      expect(deep.details).toMatch(/nests too deeply/)
      const beyondDecoder = await h.callError(
        'submitRequest',
        { type: AgentType.AGENT_TYPE_QUOTES, request: 'x', context: nested(200) },
        h.tenants.alice,
      )
      expect(beyondDecoder.error.code).toBe(status.INVALID_ARGUMENT)
      const truncated = await send(Buffer.concat([head, Buffer.from([0x1a, 0x7f, 0x0a])]))
      expect(truncated.code).toBe(status.INVALID_ARGUMENT)
    } finally {
      raw.close()
    }
  })
})

function varint(n: number): Buffer {
  const bytes: number[] = []
  let v = n
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80)
    v >>>= 7
  }
  bytes.push(v)
  return Buffer.from(bytes)
}
/** A length-delimited protobuf field. */
const field = (n: number, body: Buffer) => Buffer.concat([varint((n << 3) | 2), varint(body.length), body])
/** google.protobuf.Struct `{ a: { a: ... {} } }` `levels` deep, built from the inside out. */
function deepStruct(levels: number): Buffer {
  let struct = Buffer.alloc(0)
  for (let i = 0; i < levels; i++) {
    const value = field(5, struct) // Value.struct_value
    struct = field(1, Buffer.concat([field(1, Buffer.from('a')), field(2, value)])) // Struct.fields entry
  }
  return struct
}

/** `{ a: { a: ... 1 } }`, `levels` objects deep. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { a: 1 }
  for (let i = 1; i < levels; i++) value = { a: value }
  return value
}

describe('child sessions', () => {
  it('come only from the orchestrator agent: a client naming a parent skips neither the in-flight limit nor auto_apply', async () => {
    const { maria } = h.tenants
    // Maria (a manager) fills her in-flight limit (3) with one running orchestrator session and two more.
    const parent = await h.submit(maria, { agentType: 'orchestrator' })
    const work = await h.fetchWork('orchestrator')
    await h.orchestrator.store.attempts.start(parent)
    const others = [await h.submit(maria), await h.submit(maria)]
    const before = await requestsOnSubject('quotes')
    for (const autoApply of [false, true]) {
      const refused = await h.callError(
        'submitRequest',
        { type: AgentType.AGENT_TYPE_QUOTES, request: 'Price it', parentSessionId: parent, autoApply },
        maria,
      )
      expect(refused.error.code).toBe(status.PERMISSION_DENIED)
      expect(refused.appError).toMatchObject({
        code: 'FORBIDDEN',
        details: { field: 'parent_session_id', reason: 'child_sessions_are_internal' },
      })
    }
    // The ordinary path still holds the limit.
    const limited = await h.callError(
      'submitRequest',
      { type: AgentType.AGENT_TYPE_QUOTES, request: 'x' },
      maria,
    )
    expect(limited.appError.code).toBe('TOO_MANY_IN_FLIGHT')
    expect(await requestsOnSubject('quotes')).toBe(before)
    const children = await h.orchestrator.store.db.asService((tx) =>
      tx.selectFrom('agent_sessions').select('id').where('parent_session_id', '=', parent).execute(),
    )
    expect(children).toEqual([])
    for (const id of others) await h.call('cancelSession', { sessionId: id }, maria)
    await h.orchestrator.store.attempts.fail(parent, 1, { code: 'TEST', message: 'done' })
    work?.ack()
  })
})
