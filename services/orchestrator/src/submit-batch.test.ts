import { status } from '@grpc/grpc-js'
import { formatTraceparent } from '@psa/config'
import type { AppError } from '@psa/errors'
import {
  type AgentResponse,
  AgentType,
  MAX_SUBMIT_ITEMS,
  SessionStatus,
  type SubmitRequestsResponse,
} from '@psa/proto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fromSubmitError } from './grpc-errors.js'
import { type Harness, startHarness, type TestUser } from './testing/harness.js'

let h: Harness

beforeAll(async () => {
  h = await startHarness('batch', { MAX_IN_FLIGHT_PER_USER: '3' })
})
afterAll(async () => {
  await h?.close()
})

const request = (overrides: object = {}) => ({
  type: AgentType.AGENT_TYPE_PROJECT_MANAGEMENT,
  request: 'Plan a 12-week website rebuild for Acme',
  ...overrides,
})
const bearer = async (user: TestUser) => `Bearer ${await h.auth.token(user)}`

/** Each item's answer: its response, or the AppError SubmitRequest would have failed with. */
async function submitRequests(items: object[]): Promise<(AgentResponse | AppError)[]> {
  const { outcomes } = await h.call<SubmitRequestsResponse>('submitRequests', { items }, null)
  expect(outcomes).toHaveLength(items.length)
  return outcomes.map(({ outcome }) => {
    if (outcome?.$case === 'response') return outcome.value
    if (outcome?.$case === 'error') return fromSubmitError(outcome.value)
    throw new Error('an outcome with neither a response nor an error')
  })
}

const stored = (ids: string[]) =>
  h.orchestrator.store.db.asService((tx) =>
    tx.selectFrom('agent_sessions').select(['id', 'user_id', 'trace_id']).where('id', 'in', ids).execute(),
  )

async function cancelAll(answers: (AgentResponse | AppError)[], user: TestUser) {
  for (const a of answers) {
    if ('sessionId' in a) await h.call('cancelSession', { sessionId: a.sessionId }, user)
  }
}

describe('SubmitRequests', () => {
  it("answers each item as SubmitRequest would, with the item's own token and trace", async () => {
    const { alice, bob, victor } = h.tenants
    const trace = (n: number) =>
      formatTraceparent({ traceId: String(n).repeat(32), spanId: 'b'.repeat(16), sampled: true })
    const answers = await submitRequests([
      { request: request(), authorization: await bearer(alice), traceparent: trace(1) },
      { request: request({ type: AgentType.AGENT_TYPE_QUOTES }), authorization: await bearer(victor) },
      { request: request(), authorization: '' },
      { request: request(), authorization: 'Bearer not.a.jwt' },
      { request: request({ request: '  ' }), authorization: await bearer(bob) },
      { request: request({ userId: alice.id }), authorization: await bearer(bob) },
      {
        request: request({ type: AgentType.AGENT_TYPE_RESOURCING }),
        authorization: await bearer(bob),
        traceparent: trace(2),
      },
    ])
    const [first, viewer, missing, malformed, invalid, mismatch, last] = answers
    expect(first).toMatchObject({ status: SessionStatus.SESSION_STATUS_QUEUED, userId: alice.id })
    expect(last).toMatchObject({ status: SessionStatus.SESSION_STATUS_QUEUED, userId: bob.id })
    expect(viewer).toMatchObject({ code: 'FORBIDDEN' })
    expect(missing).toMatchObject({ code: 'UNAUTHENTICATED', details: { reason: 'missing_token' } })
    expect(malformed).toMatchObject({ code: 'UNAUTHENTICATED', details: { reason: 'malformed_token' } })
    expect(invalid).toMatchObject({ code: 'VALIDATION_FAILED' })
    expect((invalid as AppError).message).toContain('request')
    expect(mismatch).toMatchObject({ code: 'USER_MISMATCH', details: { field: 'user_id' } })

    const ids = [first, last].map((a) => (a as AgentResponse).sessionId)
    const rows = await stored(ids)
    expect(rows.map((r) => [r.user_id, r.trace_id]).sort()).toEqual(
      [
        [alice.id, '1'.repeat(32)],
        [bob.id, '2'.repeat(32)],
      ].sort(),
    )
    await cancelAll([first as AgentResponse], alice)
    await cancelAll([last as AgentResponse], bob)
  })

  it('holds the in-flight limit across one user’s items and de-duplicates a repeated session id', async () => {
    const { carol } = h.tenants
    const token = await bearer(carol)
    const sessionId = crypto.randomUUID()
    const answers = await submitRequests([
      { request: request({ sessionId }), authorization: token },
      { request: request({ sessionId }), authorization: token },
      { request: request(), authorization: token },
      { request: request(), authorization: token },
      { request: request(), authorization: token },
    ])
    const sessions = answers.filter((a): a is AgentResponse => 'sessionId' in a)
    const refused = answers.filter((a): a is AppError => !('sessionId' in a))
    // The repeated id is one session (both items answer with it); two more fit the limit of 3.
    expect(answers[0]).toMatchObject({ sessionId })
    expect(answers[1]).toMatchObject({ sessionId })
    expect(new Set(sessions.map((s) => s.sessionId)).size).toBe(3)
    expect(refused).toHaveLength(1)
    expect(refused[0]).toMatchObject({ code: 'TOO_MANY_IN_FLIGHT', details: { in_flight: 3, limit: 3 } })
    const queued = await h.orchestrator.store.db.asService((tx) =>
      tx
        .selectFrom('agent_sessions')
        .select('id')
        .where('user_id', '=', carol.id)
        .where('status', '=', 'queued')
        .execute(),
    )
    expect(queued.map((r) => r.id).sort()).toEqual([...new Set(sessions.map((s) => s.sessionId))].sort())
    await cancelAll([...new Map(sessions.map((s) => [s.sessionId, s])).values()], carol)
  })

  it(`refuses a call with no items or more than ${MAX_SUBMIT_ITEMS}, queueing nothing`, async () => {
    const item = { request: request(), authorization: await bearer(h.tenants.alice) }
    for (const items of [[], Array.from({ length: MAX_SUBMIT_ITEMS + 1 }, () => item)]) {
      const { error, appError } = await h.callError('submitRequests', { items }, null)
      expect(error.code).toBe(status.INVALID_ARGUMENT)
      expect(appError).toMatchObject({ code: 'VALIDATION_FAILED' })
    }
    const queued = await h.orchestrator.store.db.asService((tx) =>
      tx
        .selectFrom('agent_sessions')
        .select('id')
        .where('user_id', '=', h.tenants.alice.id)
        .where('status', '=', 'queued')
        .execute(),
    )
    expect(queued).toEqual([])
  })
})
