// Property-based fuzzing of every AgentService RPC: well-typed messages with hostile field values (odd
// unicode, control characters, injection, out-of-range numbers and enums, deep contexts) and raw random
// bytes as the request message, signed in or not. No call may end INTERNAL or UNKNOWN, and every refusal
// carries the stable `error-code`. FUZZ_RUNS sets the cases per method (default 25; CI bound).

import { Client, credentials, type Metadata, type ServiceError, status } from '@grpc/grpc-js'
import { AgentServiceService } from '@psa/proto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from './testing/harness.js'

const RUNS = Number(process.env.FUZZ_RUNS ?? 25)

let h: Harness
let raw: Client
let signedIn: Metadata
let cases = 0

beforeAll(async () => {
  h = await startHarness('fuzz', { RPC_RATE_LIMIT_PER_MINUTE: '100000', CANCEL_WAIT_MS: '0' })
  raw = new Client(h.address, credentials.createInsecure())
  signedIn = await h.as(h.tenants.alice)
})
afterAll(async () => {
  raw?.close()
  await h?.close()
  console.info(`gRPC fuzz: ${cases} calls over ${Object.keys(AgentServiceService).length} methods`)
})

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', '\u0000', "' or 1=1 --", '\u202e', crypto.randomUUID(), 'x'.repeat(30_000)),
)
const int = fc.oneof(fc.integer(), fc.constantFrom(-1, 0, 2 ** 31 - 1, -(2 ** 31), 99))
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(text, tie('value'), { maxKeys: 3 }),
  ),
})).value
const context = fc.oneof(
  fc.dictionary(text, json, { maxKeys: 4 }),
  fc.nat({ max: 40 }).map((n) => {
    let v: Record<string, unknown> = { a: 1 }
    for (let i = 0; i < n; i++) v = { a: v }
    return v
  }),
)
/** Every field any request message has, with the type the encoder wants and a hostile value. */
const fields = fc.record(
  {
    type: int,
    request: text,
    context,
    sessionId: text,
    userId: text,
    autoApply: fc.boolean(),
    organisationId: text,
    parentSessionId: text,
    pageSize: int,
    pageToken: text,
    status: int,
    mineOnly: fc.boolean(),
    includeChildren: fc.boolean(),
    reason: text,
    afterSeq: fc.oneof(int, fc.constantFrom(Number.MAX_SAFE_INTEGER)),
  },
  { requiredKeys: [] },
)
const message = fc.oneof(
  { weight: 3, arbitrary: fields.map((f) => ({ kind: 'typed' as const, f })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ kind: 'raw' as const, b })) },
)

type Method = (typeof AgentServiceService)[keyof typeof AgentServiceService]

function call(method: Method, bytes: Buffer, metadata: Metadata): Promise<ServiceError | undefined> {
  const identity = (b: Buffer) => b
  if (!method.responseStream) {
    return new Promise((resolve) =>
      raw.makeUnaryRequest(
        method.path,
        identity,
        identity,
        bytes,
        metadata,
        { deadline: Date.now() + 5_000 },
        (err) => resolve(err ?? undefined),
      ),
    )
  }
  return new Promise((resolve) => {
    const stream = raw.makeServerStreamRequest(method.path, identity, identity, bytes, metadata, {
      deadline: Date.now() + 1_000,
    })
    stream.on('data', () => {})
    stream.on('error', (err: ServiceError) => resolve(err))
    stream.on('end', () => resolve(undefined))
  })
}

describe('every RPC survives hostile messages', () => {
  it('never answers INTERNAL or UNKNOWN, and names a stable error-code when it refuses', async () => {
    for (const [name, method] of Object.entries(AgentServiceService)) {
      await fc.assert(
        fc.asyncProperty(message, fc.boolean(), async (m, authenticated) => {
          let bytes: Buffer
          try {
            bytes =
              m.kind === 'raw'
                ? Buffer.from(m.b)
                : (method.requestSerialize as (v: unknown) => Buffer)({ ...emptyOf(name), ...m.f })
          } catch {
            return // The client library refused to encode it: nothing reaches the server.
          }
          const md = signedIn.clone()
          if (!authenticated) md.remove('authorization')
          const err = await call(method, bytes, md)
          cases++
          if (!err) return
          // A stream of a real session may simply reach its deadline.
          if (err.code === status.DEADLINE_EXCEEDED && method.responseStream) return
          expect([status.INTERNAL, status.UNKNOWN], `${name}: ${err.code} ${err.details}`).not.toContain(
            err.code,
          )
          expect(err.metadata.get('error-code')[0], `${name}: ${err.details}`).toMatch(/^[A-Z_]+$/)
        }),
        { numRuns: RUNS },
      )
    }
  }, 600_000)
})

/** A complete message of the method's request type with defaults, which the fuzzed fields override. */
function emptyOf(name: string): Record<string, unknown> {
  const method = AgentServiceService[name as keyof typeof AgentServiceService]
  return method.requestDeserialize(Buffer.alloc(0)) as unknown as Record<string, unknown>
}
