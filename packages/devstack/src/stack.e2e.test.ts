import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeSeedContract } from './seed-contract.e2e.js'
import type { StackPorts } from './services.js'
import {
  devSession,
  type E2eStack,
  readEvents,
  REPOSITORY_ROOT as root,
  startE2eStack,
} from './testing/e2e-stack.js'

// The whole product as `npm start` runs it (built services under the supervisor), on free ports, in its own
// queue namespace, against this run's test database: what a user sees, end to end.
let e2e: E2eStack
let ports: StackPorts
let api: string
let output: string[]

async function devToken(email?: string): Promise<string> {
  return (await devSession(api, email)).access_token
}

beforeAll(async () => {
  e2e = await startE2eStack()
  ;({ ports, api, output } = e2e)
}, 120_000)

afterAll(async () => {
  await e2e?.stop()
}, 30_000)

describe('the stack, end to end', () => {
  it('streams a request submitted over HTTP with a dev token to completion, and resumes from Last-Event-ID', async () => {
    const token = await devToken()
    const submitted = await fetch(`${api}/api/agents/project`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        request: 'Plan a 12-week website rebuild for Acme starting 5 Jan, budget $150k',
      }),
    })
    if (submitted.status !== 202) console.error(await submitted.text(), output.slice(-30).join('\n'))
    expect(submitted.status).toBe(202)
    const session = (await submitted.json()) as { session_id: string; status: string }
    expect(session.status).toBe('queued')

    const events = await readEvents(`${api}/api/sessions/${session.session_id}/events`, token)
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1))
    expect(events[0]?.data).toMatchObject({ type: 'status_changed', data: { status: 'queued' } })
    expect(events.some((e) => e.data.type === 'tool_call_started')).toBe(true)
    expect(events.at(-1)?.data).toMatchObject({ type: 'status_changed', data: { status: 'completed' } })

    const resumed = await readEvents(`${api}/api/sessions/${session.session_id}/events`, token, 3)
    expect(resumed.map((e) => e.id)).toEqual(events.slice(3).map((e) => e.id))

    const final = await fetch(`${api}/api/sessions/${session.session_id}`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(await final.json()).toMatchObject({
      session_id: session.session_id,
      status: 'completed',
      agents_involved: expect.arrayContaining(['project_management']),
    })
  })

  it('serves the web app, which forwards /api to the gateway', async () => {
    const page = await fetch(`http://127.0.0.1:${ports.web}/`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('PSA Agents')
    const viaWeb = await fetch(`http://127.0.0.1:${ports.web}/api/sessions`)
    expect(viaWeb.status).toBe(401)
    expect(await viaWeb.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } })
  })

  const python = '/usr/bin/python3'
  const hasPythonGrpc = spawnSync(python, ['-c', 'import grpc, grpc_tools'], { stdio: 'ignore' }).status === 0
  it.skipIf(!hasPythonGrpc && !process.env.CI)(
    'lets a gRPC client in another language, built from the .proto files alone, submit and stream',
    async () => {
      if (!hasPythonGrpc)
        throw new Error('python3-grpcio and python3-grpc-tools are required (CI installs them)')
      const out = mkdtempSync(join(tmpdir(), 'psa-py-'))
      execFileSync(python, [
        '-m',
        'grpc_tools.protoc',
        `-I${join(root, 'proto')}`,
        `--python_out=${out}`,
        `--grpc_python_out=${out}`,
        'psa/v1/agent.proto',
        'psa/v1/events.proto',
        'psa/v1/agent_service.proto',
      ])
      const token = await devToken('manager@northwind.example')
      const run = spawnSync(
        python,
        [
          join(root, 'proto/examples/python/submit_and_stream.py'),
          '--address',
          `127.0.0.1:${ports.orchestratorGrpc}`,
          '--token',
          token,
          '--type',
          'resourcing',
          '--request',
          "Who can staff Acme's React roles next month?",
        ],
        { env: { ...process.env, PYTHONPATH: out }, encoding: 'utf8', timeout: 90_000 },
      )
      if (run.status !== 0) console.error(run.stdout, run.stderr)
      expect(run.stderr).toBe('')
      expect(run.status).toBe(0)
      const lines = run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
      expect(lines[0].submitted.sessionId).toMatch(/^[0-9a-f-]{36}$/)
      const seqs = lines.slice(1).map((e: { seq: string }) => Number(e.seq))
      expect(seqs).toEqual(seqs.map((_: number, i: number) => i + 1))
      expect(lines.at(-1).statusChanged.status).toBe('SESSION_STATUS_COMPLETED')
    },
    120_000,
  )
})

// On the same stack (one start is the costly part): the customer's contract, from their architecture note.
describe("the customer's contract (seed-runtime-architecture.md)", () => describeSeedContract(() => e2e))
