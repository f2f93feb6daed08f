import { type ClientReadableStream, type ServiceError, status } from '@grpc/grpc-js'
import { AgentType, type SessionEvent } from '@psa/proto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CallerLimits } from './caller-limits.js'
import { fromGrpcError } from './grpc-errors.js'
import { type Harness, startHarness } from './testing/harness.js'

describe('CallerLimits', () => {
  it('refills a per-user bucket over time and keeps users apart', () => {
    let now = 0
    const limits = new CallerLimits({ ratePerMinute: 60, maxStreamsPerUser: 1, now: () => now })
    for (let i = 0; i < 60; i++) limits.take('a')
    expect(() => limits.take('a')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }))
    limits.take('b')
    now += 1_000
    limits.take('a')
    expect(() => limits.take('a')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }))
  })

  it('caps open streams per user and frees a slot once, however often it is released', () => {
    const limits = new CallerLimits({ ratePerMinute: 60, maxStreamsPerUser: 2 })
    const first = limits.openStream('a')
    limits.openStream('a')
    expect(() => limits.openStream('a')).toThrow(expect.objectContaining({ code: 'TOO_MANY_STREAMS' }))
    first()
    first()
    limits.openStream('a')
    expect(() => limits.openStream('a')).toThrow(expect.objectContaining({ code: 'TOO_MANY_STREAMS' }))
  })
})

describe('limits on the gRPC API (direct clients cannot go around them)', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness('limits', {
      RPC_RATE_LIMIT_PER_MINUTE: '20',
      MAX_STREAMS_PER_USER: '2',
      GRPC_MAX_RECEIVE_BYTES: String(64 * 1024),
    })
  })
  afterAll(async () => {
    await h?.close()
  })

  /** A stream the test ends itself (its CANCELLED error is expected). */
  const quiet = (stream: ClientReadableStream<SessionEvent>) => {
    stream.on('error', () => {})
    stream.on('data', () => {})
    return stream
  }
  const failure = (stream: ClientReadableStream<SessionEvent>) =>
    new Promise<ServiceError>((resolve) => {
      stream.on('error', resolve)
      stream.on('data', () => {})
    })

  it('caps each user’s open event streams with TOO_MANY_STREAMS, and frees the slot when one ends', async () => {
    const { alice, bob } = h.tenants
    const id = await h.submit(alice, { agentType: 'quotes' })
    const open = [
      quiet(await h.stream({ sessionId: id }, alice)),
      quiet(await h.stream({ sessionId: id }, alice)),
    ]
    // Give both calls time to be admitted by the server before the third.
    await new Promise((r) => setTimeout(r, 300))
    const third = await failure(await h.stream({ sessionId: id }, alice))
    expect(third.code).toBe(status.RESOURCE_EXHAUSTED)
    expect(fromGrpcError(third).code).toBe('TOO_MANY_STREAMS')
    // Another user of the organisation is not affected.
    const colleague = quiet(await h.stream({ sessionId: id }, bob))
    open[0]?.cancel()
    await new Promise((r) => setTimeout(r, 300))
    const again = quiet(await h.stream({ sessionId: id }, alice))
    let againFailed: ServiceError | undefined
    again.on('error', (err: ServiceError) => {
      againFailed = err
    })
    await new Promise((r) => setTimeout(r, 300))
    expect(againFailed).toBeUndefined()
    for (const s of [again, colleague, open[1]]) s?.cancel()
    await h.call('cancelSession', { sessionId: id }, alice)
  })

  it('rate limits each user’s calls with RATE_LIMITED', async () => {
    const { carol } = h.tenants
    const codes: string[] = []
    for (let i = 0; i < 25; i++) {
      try {
        await h.call('listSessions', { pageSize: 1 }, carol)
        codes.push('OK')
      } catch (err) {
        codes.push(fromGrpcError(err as ServiceError).code)
      }
    }
    expect(codes.filter((c) => c === 'OK').length).toBeLessThanOrEqual(21)
    expect(codes.at(-1)).toBe('RATE_LIMITED')
  })

  it('refuses an oversized message with RESOURCE_EXHAUSTED before decoding it', async () => {
    const { error } = await h.callError(
      'submitRequest',
      { type: AgentType.AGENT_TYPE_QUOTES, request: 'x', context: { blob: 'y'.repeat(70 * 1024) } },
      h.tenants.victor,
    )
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED)
  })
})
