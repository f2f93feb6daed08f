// The authorisation matrix of the gRPC API: every AgentService RPC × {anonymous, viewer, member, manager,
// admin, owner, member of another organisation}, with the expected status of each cell (the HTTP routes'
// matrix is services/gateway/src/authz-matrix.test.ts, the tables' supabase/src/rls.test.ts). Direct gRPC
// clients get the same answers as the gateway's callers. Rows that change state get a fresh target per cell.

import { Metadata, status } from '@grpc/grpc-js'
import { agentTypeToProto } from '@psa/proto'
import {
  fromRole,
  MATRIX_ACTORS,
  type MatrixExpect,
  type MatrixRow,
  READ_OURS,
  READ_OWN,
  type TenantUserKey,
} from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness, type UnaryMethod } from './testing/harness.js'

let h: Harness
let cells = 0

beforeAll(async () => {
  h = await startHarness('authz', { MAX_IN_FLIGHT_PER_USER: '1000', RPC_RATE_LIMIT_PER_MINUTE: '100000' })
}, 60_000)
afterAll(async () => {
  await h?.close()
  console.info(`gRPC authorisation matrix: ${cells} cells`)
})

/** 'ok' answered; 'unauth' UNAUTHENTICATED; 'denied' PERMISSION_DENIED; 'hidden' NOT_FOUND (nothing leaks). */
const CODE: Record<MatrixExpect, number> = {
  ok: status.OK,
  unauth: status.UNAUTHENTICATED,
  denied: status.PERMISSION_DENIED,
  hidden: status.NOT_FOUND,
}

interface Row {
  name: string
  /** One call as the actor (metadata with its token, or none); resolves with the gRPC status code. */
  call(metadata: Metadata): Promise<number>
  expect: MatrixRow
}

const memberSession = () => h.submit(h.tenants.alice, { agentType: 'quotes' })

async function unary(method: UnaryMethod, request: object, metadata: Metadata): Promise<number> {
  try {
    await h.call(method, request, metadata)
    return status.OK
  } catch (err) {
    return (err as { code: number }).code
  }
}

/** A stream's answer: its first event (OK) or the status it failed with. */
async function firstOfStream(sessionId: string, metadata: Metadata): Promise<number> {
  const stream = await h.stream({ sessionId }, metadata)
  return new Promise<number>((resolve) => {
    stream.once('data', () => {
      resolve(status.OK)
      stream.cancel()
    })
    stream.once('error', (err: { code: number }) => resolve(err.code))
  })
}

const ROWS: Row[] = [
  {
    name: 'SubmitRequest',
    call: (md) =>
      unary('submitRequest', { type: agentTypeToProto('quotes'), request: 'Quote 80h design' }, md),
    expect: fromRole('member', 'ok'),
  },
  {
    name: 'SubmitRequest (auto_apply)',
    call: (md) =>
      unary('submitRequest', { type: agentTypeToProto('quotes'), request: 'Quote it', autoApply: true }, md),
    expect: fromRole('manager', 'denied'),
  },
  {
    name: 'SubmitRequest (organisation_id of ours)',
    call: (md) =>
      unary(
        'submitRequest',
        { type: agentTypeToProto('quotes'), request: 'Quote it', organisationId: h.tenants.orgA },
        md,
      ),
    expect: fromRole('member', 'hidden'),
  },
  {
    name: 'GetSession',
    call: async (md) => unary('getSession', { sessionId: await memberSession() }, md),
    expect: READ_OURS,
  },
  { name: 'ListSessions', call: (md) => unary('listSessions', {}, md), expect: READ_OWN },
  {
    name: 'GetQueuePosition',
    call: async (md) => unary('getQueuePosition', { sessionId: await memberSession() }, md),
    expect: READ_OURS,
  },
  {
    name: "CancelSession (a member's session)",
    call: async (md) => unary('cancelSession', { sessionId: await memberSession() }, md),
    expect: fromRole('member', 'hidden'),
  },
  {
    name: 'StreamSessionEvents',
    call: async (md) => firstOfStream(await memberSession(), md),
    expect: READ_OURS,
  },
]

describe('authorisation matrix: RPCs × actors', () => {
  it('answers every cell as expected', async () => {
    const failures: string[] = []
    for (const row of ROWS) {
      for (const actor of MATRIX_ACTORS) {
        const metadata =
          actor === 'anonymous'
            ? new Metadata()
            : await h.as(h.tenants.byRole[actor as Exclude<TenantUserKey, 'nobody'>])
        const code = await row.call(metadata)
        cells++
        if (code !== CODE[row.expect[actor]]) {
          failures.push(`${row.name} as ${actor}: expected ${row.expect[actor]}, got ${status[code] ?? code}`)
        }
      }
    }
    expect(failures).toEqual([])
  }, 120_000)
})
