// The authorisation matrix of the API: every route family × {anonymous, viewer, member, manager, admin,
// owner, member of another organisation}, with the expected answer of each cell. (The same matrix for
// every table through PostgREST-style access is supabase/src/rls.test.ts.) Rows that change state get a
// fresh target per cell.

import type { TenantUserKey } from '@psa/test-kit'
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

type Actor = 'anonymous' | 'viewer' | 'member' | 'manager' | 'admin' | 'owner' | 'otherMember'
const ACTORS: Actor[] = ['anonymous', 'viewer', 'member', 'manager', 'admin', 'owner', 'otherMember']
/** 'ok' 2xx; 'unauth' 401; 'denied' 403; 'hidden' 404 (another organisation's id: nothing leaks). */
type Expect = 'ok' | 'unauth' | 'denied' | 'hidden'

/** Everyone in the organisation may; anonymous may not; another organisation sees nothing of ours. */
const readOurs: Record<Actor, Expect> = {
  anonymous: 'unauth',
  viewer: 'ok',
  member: 'ok',
  manager: 'ok',
  admin: 'ok',
  owner: 'ok',
  otherMember: 'hidden',
}
/** Lists and summaries answer for the caller's own organisation, whichever it is. */
const readOwn: Record<Actor, Expect> = { ...readOurs, otherMember: 'ok' }
const managers = (from: 'member' | 'manager'): Record<Actor, Expect> => ({
  anonymous: 'unauth',
  viewer: 'denied',
  member: from === 'member' ? 'ok' : 'denied',
  manager: 'ok',
  admin: 'ok',
  owner: 'ok',
  otherMember: 'hidden',
})

interface Row {
  name: string
  method: 'GET' | 'POST'
  /** The URL and body for one cell (called once per cell: state-changing rows make a fresh target). */
  target(): Promise<{ url: string; payload?: object }>
  expect: Record<Actor, Expect>
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
  const get = (name: string, url: string, expect: Record<Actor, Expect>): Row => ({
    name,
    method: 'GET',
    target: async () => ({ url }),
    expect,
  })
  return [
    get('GET /api/me', '/api/me', { ...readOwn }),
    get('GET /api/dashboard', '/api/dashboard', readOwn),
    get('GET /api/projects', '/api/projects', readOwn),
    get('GET /api/projects/:id', `/api/projects/${ids.project}`, readOurs),
    get('GET /api/clients', '/api/clients', readOwn),
    get('GET /api/clients/:id', `/api/clients/${ids.client}`, readOurs),
    get('GET /api/quotes', '/api/quotes', readOwn),
    get('GET /api/quotes/:id', `/api/quotes/${ids.quote}`, readOurs),
    get('GET /api/resources', '/api/resources', readOwn),
    get('GET /api/resources/:id', `/api/resources/${ids.people[0]}`, readOurs),
    get('GET /api/resources/capacity', '/api/resources/capacity', readOwn),
    get('GET /api/proposals', '/api/proposals', readOwn),
    get('GET /api/sessions', '/api/sessions', readOwn),
    {
      name: 'GET /api/sessions/:id',
      method: 'GET',
      target: async () => ({ url: `/api/sessions/${await memberSession()}` }),
      expect: readOurs,
    },
    {
      name: 'GET /api/proposals/:id',
      method: 'GET',
      target: async () => ({ url: `/api/proposals/${await proposal()}` }),
      expect: readOurs,
    },
    {
      name: 'POST /api/agents/quotes',
      method: 'POST',
      target: async () => ({ url: '/api/agents/quotes', payload: { request: 'Quote 80h design' } }),
      expect: { ...managers('member'), otherMember: 'ok' },
    },
    {
      name: 'POST /api/agents (auto_apply)',
      method: 'POST',
      target: async () => ({
        url: '/api/agents',
        payload: { type: 'quotes', request: 'Quote it', auto_apply: true },
      }),
      expect: { ...managers('manager'), otherMember: 'denied' },
    },
    {
      name: "POST /api/sessions/:id/cancel (a member's session)",
      method: 'POST',
      target: async () => ({ url: `/api/sessions/${await memberSession()}/cancel` }),
      expect: managers('member'),
    },
    {
      name: 'POST /api/proposals/:id/reject',
      method: 'POST',
      target: async () => ({ url: `/api/proposals/${await proposal()}/reject` }),
      expect: managers('manager'),
    },
    {
      name: 'POST /api/proposals/:id/apply',
      method: 'POST',
      target: async () => ({ url: `/api/proposals/${await proposal()}/apply` }),
      expect: managers('manager'),
    },
  ]
}

const STATUS: Record<Expect, (status: number) => boolean> = {
  ok: (s) => s >= 200 && s < 300,
  unauth: (s) => s === 401,
  denied: (s) => s === 403,
  hidden: (s) => s === 404,
}

describe('authorisation matrix: routes × actors', () => {
  it('answers every cell as expected', async () => {
    const failures: string[] = []
    for (const row of ROWS()) {
      for (const actor of ACTORS) {
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
