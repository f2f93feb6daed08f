// The authorisation matrix of the API: every route family × {anonymous, viewer, member, manager, admin,
// owner, member of another organisation}, with the expected answer of each cell. (The same matrix for
// every table through PostgREST-style access is supabase/src/rls.test.ts.) Rows that change state get a
// fresh target per cell.

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
import { type GatewayHarness, startGatewayHarness } from './testing/harness.js'

let h: GatewayHarness
let cells = 0

beforeAll(async () => {
  h = await startGatewayHarness({ orchestrator: true, orchestratorEnv: { MAX_IN_FLIGHT_PER_USER: '1000' } })
})
afterAll(async () => {
  await h?.close()
  console.info(`authorisation matrix: ${cells} cells`)
})

interface Row {
  name: string
  method: 'GET' | 'POST'
  /** The URL and body for one cell (called once per cell: state-changing rows make a fresh target). */
  target(): Promise<{ url: string; payload?: object }>
  expect: MatrixRow
}

const memberSession = async () => {
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/agents/quotes',
    headers: await h.bearer('member'),
    payload: { request: 'Quote 200h senior dev' },
  })
  return res.json().session_id as string
}
/** A pending proposal that renames the milestone, written against its current version (so it applies). */
const proposal = async () => {
  const id = h.tenant.ids.milestone
  const [row] = await h.db.sql<{ version: number }[]>`select version from public.milestones where id = ${id}`
  const operations = [
    {
      op: 'update',
      table: 'milestones',
      id,
      expected_version: row?.version ?? 1,
      set: { name: `Launch ${cells}` },
    },
  ]
  return (await h.tenant.createProposal({ version: 1, operations }, { title: 'Matrix' })).proposalId
}

const ROWS = (): Row[] => {
  const { ids } = h.tenant
  const get = (name: string, url: string, expect: MatrixRow): Row => ({
    name,
    method: 'GET',
    target: async () => ({ url }),
    expect,
  })
  return [
    get('GET /api/me', '/api/me', { ...READ_OWN }),
    get('GET /api/dashboard', '/api/dashboard', READ_OWN),
    get('GET /api/projects', '/api/projects', READ_OWN),
    get('GET /api/projects/:id', `/api/projects/${ids.project}`, READ_OURS),
    get('GET /api/clients', '/api/clients', READ_OWN),
    get('GET /api/clients/:id', `/api/clients/${ids.client}`, READ_OURS),
    get('GET /api/quotes', '/api/quotes', READ_OWN),
    get('GET /api/quotes/:id', `/api/quotes/${ids.quote}`, READ_OURS),
    get('GET /api/resources', '/api/resources', READ_OWN),
    get('GET /api/resources/:id', `/api/resources/${ids.people[0]}`, READ_OURS),
    get('GET /api/resources/capacity', '/api/resources/capacity', READ_OWN),
    get('GET /api/proposals', '/api/proposals', READ_OWN),
    get('GET /api/sessions', '/api/sessions', READ_OWN),
    {
      name: 'GET /api/sessions/:id',
      method: 'GET',
      target: async () => ({ url: `/api/sessions/${await memberSession()}` }),
      expect: READ_OURS,
    },
    {
      name: 'GET /api/proposals/:id',
      method: 'GET',
      target: async () => ({ url: `/api/proposals/${await proposal()}` }),
      expect: READ_OURS,
    },
    {
      name: 'POST /api/agents/quotes',
      method: 'POST',
      target: async () => ({ url: '/api/agents/quotes', payload: { request: 'Quote 80h design' } }),
      expect: fromRole('member', 'ok'),
    },
    {
      name: 'POST /api/agents (auto_apply)',
      method: 'POST',
      target: async () => ({
        url: '/api/agents',
        payload: { type: 'quotes', request: 'Quote it', auto_apply: true },
      }),
      expect: fromRole('manager', 'denied'),
    },
    {
      name: "POST /api/sessions/:id/cancel (a member's session)",
      method: 'POST',
      target: async () => ({ url: `/api/sessions/${await memberSession()}/cancel` }),
      expect: fromRole('member'),
    },
    {
      name: 'POST /api/proposals/:id/reject',
      method: 'POST',
      target: async () => ({ url: `/api/proposals/${await proposal()}/reject` }),
      expect: fromRole('manager'),
    },
    {
      name: 'POST /api/proposals/:id/apply',
      method: 'POST',
      target: async () => ({ url: `/api/proposals/${await proposal()}/apply` }),
      expect: fromRole('manager'),
    },
  ]
}

const STATUS: Record<MatrixExpect, (status: number) => boolean> = {
  ok: (s) => s >= 200 && s < 300,
  unauth: (s) => s === 401,
  denied: (s) => s === 403,
  hidden: (s) => s === 404,
}

describe('authorisation matrix: routes × actors', () => {
  it('answers every cell as expected', async () => {
    const failures: string[] = []
    for (const row of ROWS()) {
      for (const actor of MATRIX_ACTORS) {
        const { url, payload } = await row.target()
        const headers = actor === 'anonymous' ? {} : await h.bearer(actor as TenantUserKey)
        const res = await h.app.inject({ method: row.method, url, headers, ...(payload ? { payload } : {}) })
        cells++
        if (!STATUS[row.expect[actor]](res.statusCode)) {
          failures.push(
            `${row.name} as ${actor}: expected ${row.expect[actor]}, got ${res.statusCode} ${res.body.slice(0, 120)}`,
          )
        }
      }
    }
    expect(failures).toEqual([])
  }, 240_000)
})
