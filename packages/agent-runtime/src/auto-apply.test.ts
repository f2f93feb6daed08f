import { randomUUID } from 'node:crypto'
import { callTools, finish, lastCall, OfflineModel, type Playbook } from '@psa/agent-models'
import {
  isTerminalEvent,
  type SessionEventEnvelope,
  SessionEventWriter,
  SessionStore,
  type WorkItem,
} from '@psa/agent-pipeline'
import { applyProposal, type Changeset, rejectProposal, revertProposal } from '@psa/changesets'
import { Database, databaseEnvSchema } from '@psa/db'
import { createTenant, openTestDatabase, silentLogger, type Tenant, type TenantUser } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { autoApplyProposal } from './auto-apply.js'
import { canonicalJson, deterministicUuid, sha256Hex } from './deterministic-id.js'
import { TransientFailure } from './failures.js'
import type { AgentDefinition } from './session-processor.js'
import { type PipelineHarness, startPipelineHarness } from './testing.js'
import { type AutoApplyReport, defineTool } from './tools.js'
import { type AgentWorker, createAgentWorker } from './worker.js'

// A project agent in miniature: one tool proposes a new project (agents may write projects), one proposes
// renaming an existing one with the version it read. The offline playbook words its answer from what the
// runtime reports under `auto_apply`, as a real model reading the tool result would.

/** What the rename tool calls between reading the project and proposing: a person editing it meanwhile. */
const hooks: { afterRead?: () => Promise<void> } = {}

function projectChangeset(
  sessionId: string,
  input: { clientId: string; code: string; currency: string; backwards?: boolean },
): Changeset {
  return {
    version: 1,
    operations: [
      {
        op: 'insert',
        table: 'projects',
        values: {
          id: deterministicUuid(sessionId, 'project', input.code),
          client_id: input.clientId,
          name: `Project ${input.code}`,
          code: input.code,
          currency: input.currency,
          starts_on: input.backwards ? '2026-03-02' : '2026-01-05',
          // Backwards dates break projects_dates_ordered: the changeset cannot be applied as it stands.
          ends_on: input.backwards ? '2026-02-02' : '2026-03-27',
        },
      },
    ],
  }
}

const projectTitle = (code: string) => `Set up project ${code}`

const tools = [
  defineTool({
    name: 'propose_project',
    description: 'Proposes a new project for the client in the request context',
    inputSchema: z.object({ code: z.string().min(1), backwards: z.boolean() }),
    run: async ({ code, backwards }, ctx) => {
      const outcome = await ctx.propose({
        title: projectTitle(code),
        summary: `Sets up ${code}`,
        changeset: projectChangeset(ctx.session.id, {
          clientId: String(ctx.session.context.client_id),
          code,
          currency: ctx.session.currency,
          backwards,
        }),
      })
      return { summary: `proposed ${code}`, proposal_id: outcome.proposalId, status: outcome.status }
    },
  }),
  defineTool({
    name: 'rename_project',
    description: 'Proposes renaming a project',
    inputSchema: z.object({ project_id: z.uuid(), name: z.string().min(1) }),
    run: async ({ project_id, name }, ctx) => {
      const row = await ctx.asUser((tx) =>
        tx.selectFrom('projects').select('version').where('id', '=', project_id).executeTakeFirstOrThrow(),
      )
      await hooks.afterRead?.()
      const outcome = await ctx.propose({
        title: `Rename the project to ${name}`,
        summary: `Renames the project to ${name}`,
        changeset: {
          version: 1,
          operations: [
            { op: 'update', table: 'projects', id: project_id, expected_version: row.version, set: { name } },
          ],
        },
      })
      return { summary: `proposed renaming to ${name}`, proposal_id: outcome.proposalId }
    },
  }),
]

const playbook: Playbook = ({ request, steps }) => {
  const [command = '', first = '', second = ''] = request.split(' ')
  const tool = command === 'rename' ? 'rename_project' : 'propose_project'
  const call = lastCall(steps, tool)
  if (!call) {
    return callTools(
      'Preparing the change.',
      command === 'rename'
        ? { name: tool, input: { project_id: first, name: second } }
        : { name: tool, input: { code: first, backwards: command === 'plan-backwards' } },
    )
  }
  if (call.status !== 'success') return finish(`The tool failed: ${call.text}`)
  const output = call.output as { proposal_id: string; auto_apply?: AutoApplyReport[] }
  const report = output.auto_apply?.[0]
  const text = !report
    ? 'Proposed; it is waiting for review.'
    : report.applied
      ? 'Applied automatically.'
      : `Proposed, but could not apply it automatically. ${report.message}`
  return finish(text, { result: { proposal_id: output.proposal_id }, reportGaps: false })
}

const agent: AgentDefinition = {
  agentType: 'project_management',
  systemPrompt: 'You are a test agent.',
  tools,
}
const model = new OfflineModel({ playbooks: { project_management: playbook } })

let shared: Database
let tenant: Tenant
let manager: TenantUser
let clientId: string

async function addClient(user: TenantUser): Promise<string> {
  const id = randomUUID()
  await shared.sql`insert into public.clients (id, organisation_id, name)
    values (${id}, ${user.organisationId}, ${`Client ${id.slice(0, 8)}`})`
  return id
}

beforeAll(async () => {
  shared = openTestDatabase()
  tenant = await createTenant(shared, { data: 'users', timezone: 'UTC' })
  manager = tenant.users.manager
  clientId = await addClient(manager)
})

afterAll(async () => {
  await tenant?.drop()
  await shared.close()
})

interface Rig {
  h: PipelineHarness
  worker: AgentWorker
  sessions: string[]
  submit(
    user: TenantUser,
    request: string,
    options?: { autoApply?: boolean; workItem?: Partial<WorkItem> },
  ): Promise<string>
  /** Waits for the session's terminal event and returns the session row and all its events. */
  finished(sessionId: string): Promise<{
    status: string
    result: Record<string, unknown>
    attempts: number
    events: SessionEventEnvelope[]
  }>
  close(): Promise<void>
}

async function rig(options: { start?: boolean } = {}): Promise<Rig> {
  const h = await startPipelineHarness()
  const worker = createAgentWorker({
    agent,
    model,
    ...h.workerDeps,
    concurrency: 1,
    timeoutMs: 20_000,
    maxTurns: 5,
    pullExpiresMs: 1_000,
  })
  if (options.start !== false) worker.start()
  const sessions: string[] = []
  return {
    h,
    worker,
    sessions,
    async submit(user, request, submitOptions = {}) {
      const session = await h.submit(user, {
        agentType: 'project_management',
        request,
        context: { client_id: clientOf.get(user.organisationId) ?? clientId },
        ...(submitOptions.autoApply !== undefined && { autoApply: submitOptions.autoApply }),
        ...(submitOptions.workItem && { workItem: submitOptions.workItem }),
      })
      sessions.push(session.id)
      return session.id
    },
    async finished(sessionId) {
      const row = await h.waitForStatus(sessionId, ['completed', 'failed', 'cancelled'], 20_000)
      await expect
        .poll(async () => (await h.streamEvents(sessionId)).at(-1), { timeout: 10_000 })
        .toSatisfy((last: SessionEventEnvelope | undefined) => last !== undefined && isTerminalEvent(last))
      return {
        status: row.status,
        result: row.result as Record<string, unknown>,
        attempts: row.attempts,
        events: await h.streamEvents(sessionId),
      }
    },
    async close() {
      await worker.stop(2_000)
      if (sessions.length > 0) {
        await h.db.asService((tx) => tx.deleteFrom('agent_sessions').where('id', 'in', sessions).execute())
      }
      await h.close()
    },
  }
}

/** Each organisation's client (a test organisation other than the shared one registers its own). */
const clientOf = new Map<string, string>()

function proposalsOf(h: PipelineHarness, sessionId: string) {
  return h.db.asService((tx) =>
    tx.selectFrom('proposals').selectAll().where('session_id', '=', sessionId).execute(),
  )
}

function projectRows(h: { db: Database }, id: string) {
  return h.db.asService((tx) => tx.selectFrom('projects').selectAll().where('id', '=', id).execute())
}

function ofType<T extends SessionEventEnvelope['type']>(events: SessionEventEnvelope[], type: T) {
  return events.filter((e): e is Extract<SessionEventEnvelope, { type: T }> => e.type === type)
}

async function metric(h: PipelineHarness, labels: Record<string, string>): Promise<number> {
  const values = (await h.registry.getSingleMetric('psa_agent_auto_apply_total')?.get())?.values ?? []
  return values
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((sum, v) => sum + v.value, 0)
}

/** Attempt 1 of a session, played by hand: it claims the session, stores the proposal exactly as the tool would, then dies. */
async function proposeLikeADyingAttempt(h: PipelineHarness, sessionId: string, code: string) {
  expect(await h.store.attempts.start(sessionId)).toMatchObject({ kind: 'started', attempt: 1 })
  const changeset = projectChangeset(sessionId, { clientId, code, currency: 'USD' })
  const title = projectTitle(code)
  const { proposal } = await h.store.attempts.upsertProposal({
    sessionId,
    organisationId: manager.organisationId,
    agentType: 'project_management',
    idempotencyKey: `propose_project:${sha256Hex(canonicalJson({ title, changeset })).slice(0, 32)}`,
    title,
    summary: `Sets up ${code}`,
    changeset,
  })
  return { proposal, projectId: deterministicUuid(sessionId, 'project', code) }
}

describe('auto-apply of proposals', () => {
  it('applies a manager’s auto-apply proposal as them: rows written, proposal applied by the user, event and answer say so', async () => {
    const r = await rig()
    try {
      const sessionId = await r.submit(manager, 'plan AA1', { autoApply: true })
      const done = await r.finished(sessionId)
      expect(done.status).toBe('completed')

      const [proposal, ...others] = await proposalsOf(r.h, sessionId)
      expect(others).toEqual([])
      expect(proposal).toMatchObject({ status: 'applied', applied_by: manager.id, error: null })
      expect(proposal?.applied_at).toBeInstanceOf(Date)
      expect(proposal?.revert_changeset).toMatchObject({
        version: 1,
        operations: [{ op: 'delete', table: 'projects' }],
      })
      const projectId = deterministicUuid(sessionId, 'project', 'AA1')
      expect(await projectRows(r.h, projectId)).toMatchObject([
        { organisation_id: manager.organisationId, code: 'AA1', client_id: clientId },
      ])

      const announced = ofType(done.events, 'proposal_created')
      expect(announced).toHaveLength(1)
      expect(announced[0]?.data).toMatchObject({
        proposal_id: proposal?.id,
        auto_applied: true,
        change_count: 1,
      })
      const finished = ofType(done.events, 'tool_call_finished')[0]
      expect(finished?.data.summary).toBe('proposed AA1 (applied automatically)')
      expect(finished?.data.output).toMatchObject({
        status: 'applied',
        auto_apply: [
          { proposal_id: proposal?.id, applied: true, status: 'applied', title: projectTitle('AA1') },
        ],
      })
      expect(done.result).toMatchObject({
        summary: 'Applied automatically.',
        proposal_ids: [proposal?.id],
        auto_apply: [{ proposal_id: proposal?.id, applied: true, status: 'applied' }],
      })
      expect(await metric(r.h, { outcome: 'applied' })).toBe(1)
    } finally {
      await r.close()
    }
  })

  it('applies nothing when the request did not ask for it', async () => {
    const r = await rig()
    try {
      const sessionId = await r.submit(manager, 'plan AA2')
      const done = await r.finished(sessionId)
      expect(done.status).toBe('completed')
      const [proposal] = await proposalsOf(r.h, sessionId)
      expect(proposal).toMatchObject({ status: 'pending', applied_by: null, applied_at: null })
      expect(await projectRows(r.h, deterministicUuid(sessionId, 'project', 'AA2'))).toEqual([])
      expect(ofType(done.events, 'proposal_created')[0]?.data.auto_applied).toBe(false)
      const output = ofType(done.events, 'tool_call_finished')[0]?.data.output as Record<string, unknown>
      expect(output).toMatchObject({ status: 'pending' })
      expect(output).not.toHaveProperty('auto_apply')
      expect(done.result).not.toHaveProperty('auto_apply')
      expect(done.result.summary).toBe('Proposed; it is waiting for review.')
      expect(await metric(r.h, {})).toBe(0)
    } finally {
      await r.close()
    }
  })

  it('leaves the proposal pending for a user demoted to member since submitting, and says why', async () => {
    const demotedTenant = await createTenant(shared, { data: 'users', timezone: 'UTC' })
    const demoted = demotedTenant.users.manager
    clientOf.set(demoted.organisationId, await addClient(demoted))
    const r = await rig({ start: false })
    try {
      // Submitted as a manager (RLS allows auto-apply), demoted before a worker picks it up.
      const sessionId = await r.submit(demoted, 'plan AA3', { autoApply: true })
      expect((await r.h.session(sessionId))?.auto_apply).toBe(true)
      await shared.sql`update public.memberships set role = 'member'
        where user_id = ${demoted.id} and organisation_id = ${demoted.organisationId}`
      r.worker.start()
      const done = await r.finished(sessionId)
      expect(done.status).toBe('completed')

      const [proposal] = await proposalsOf(r.h, sessionId)
      expect(proposal).toMatchObject({ status: 'pending', applied_by: null, error: null })
      expect(await projectRows(r.h, deterministicUuid(sessionId, 'project', 'AA3'))).toEqual([])
      expect(ofType(done.events, 'proposal_created')[0]?.data.auto_applied).toBe(false)
      const finished = ofType(done.events, 'tool_call_finished')[0]
      expect(finished?.data.summary).toBe('proposed AA3 (not applied automatically: FORBIDDEN)')
      expect(finished?.data.output).toMatchObject({
        auto_apply: [
          {
            applied: false,
            status: 'pending',
            error: { code: 'FORBIDDEN', details: { role: 'member' } },
            message: expect.stringContaining('your role (member) does not allow applying proposals'),
          },
        ],
      })
      expect(done.result.summary).toContain('could not apply it automatically')
      expect(done.result.summary).toContain('pending for a manager, admin or owner')
      expect(await metric(r.h, { outcome: 'forbidden' })).toBe(1)
    } finally {
      await r.close()
      await demotedTenant.drop()
    }
  })

  it('marks the proposal failed when the row changed between the agent’s read and the apply, and still completes', async () => {
    const projectId = randomUUID()
    await shared.sql`insert into public.projects (id, organisation_id, client_id, name, code, currency, starts_on, ends_on)
      values (${projectId}, ${manager.organisationId}, ${clientId}, 'Original name', ${`RN-${projectId.slice(0, 6)}`},
        'USD', '2026-01-05', '2026-02-27')`
    hooks.afterRead = async () => {
      await shared.sql`update public.projects set name = 'Edited by a person' where id = ${projectId}`
    }
    const r = await rig()
    try {
      const sessionId = await r.submit(manager, `rename ${projectId} Renamed`, { autoApply: true })
      const done = await r.finished(sessionId)
      expect(done.status).toBe('completed')

      const [proposal] = await proposalsOf(r.h, sessionId)
      expect(proposal).toMatchObject({
        status: 'failed',
        applied_at: null,
        error: {
          code: 'VERSION_CONFLICT',
          details: { table: 'projects', id: projectId, expected_version: 1, current_version: 2 },
        },
      })
      expect(await projectRows(r.h, projectId)).toMatchObject([{ name: 'Edited by a person', version: 2 }])
      expect(ofType(done.events, 'proposal_created')[0]?.data.auto_applied).toBe(false)
      expect(ofType(done.events, 'tool_call_finished')[0]?.data.output).toMatchObject({
        auto_apply: [
          {
            applied: false,
            status: 'failed',
            error: { code: 'VERSION_CONFLICT' },
            message: expect.stringContaining('could not be applied'),
          },
        ],
      })
      expect(done.result).toMatchObject({
        summary: expect.stringContaining('could not apply it automatically'),
        auto_apply: [{ proposal_id: proposal?.id, applied: false, status: 'failed' }],
      })
      expect(await metric(r.h, { outcome: 'failed' })).toBe(1)
    } finally {
      hooks.afterRead = undefined
      await r.close()
      await shared.sql`delete from public.projects where id = ${projectId}`
    }
  })

  it('marks the proposal failed when the changeset breaks a rule of the data, writes nothing, and still completes', async () => {
    const r = await rig()
    try {
      const sessionId = await r.submit(manager, 'plan-backwards AA4', { autoApply: true })
      const done = await r.finished(sessionId)
      expect(done.status).toBe('completed')
      const [proposal] = await proposalsOf(r.h, sessionId)
      expect(proposal).toMatchObject({ status: 'failed', error: { code: 'VALIDATION_FAILED' } })
      expect(JSON.stringify(proposal?.error)).toContain('projects_dates_ordered')
      expect(await projectRows(r.h, deterministicUuid(sessionId, 'project', 'AA4'))).toEqual([])
      expect(ofType(done.events, 'proposal_created')[0]?.data.auto_applied).toBe(false)
      expect(done.result.summary).toContain('could not apply it automatically')
    } finally {
      await r.close()
    }
  })

  it('does not apply twice when a restarted attempt re-proposes a proposal its predecessor applied and announced', async () => {
    const r = await rig({ start: false })
    try {
      const sessionId = await r.submit(manager, 'plan AA5', { autoApply: true })
      const { proposal, projectId } = await proposeLikeADyingAttempt(r.h, sessionId, 'AA5')
      const applied = await applyProposal(r.h.db, manager.claims, proposal.id, {
        expectedVersion: proposal.version,
      })
      const dying = await SessionEventWriter.open({
        js: r.h.nats.js,
        jsm: r.h.nats.jsm,
        topology: r.h.topology,
        log: r.h.store.events,
        sessionId,
        organisationId: manager.organisationId,
        agent: 'project_management',
        attempt: 1,
        logger: r.h.logger,
      })
      await dying.emit({
        type: 'proposal_created',
        data: {
          proposal_id: proposal.id,
          title: proposal.title,
          summary: '',
          change_count: 1,
          auto_applied: true,
        },
      })
      await dying.close()

      r.worker.start()
      const done = await r.finished(sessionId)
      expect(done).toMatchObject({ status: 'completed', attempts: 2 })
      const after = await proposalsOf(r.h, sessionId)
      expect(after).toHaveLength(1)
      // Untouched since attempt 1 applied it: same version, same applied_at.
      expect(after[0]).toMatchObject({
        status: 'applied',
        version: applied.version,
        applied_at: applied.applied_at,
      })
      expect(await projectRows(r.h, projectId)).toMatchObject([{ version: 1 }])
      expect(ofType(done.events, 'proposal_created')).toHaveLength(1)
      expect(ofType(done.events, 'tool_call_finished')[0]?.data.output).toMatchObject({
        auto_apply: [
          { applied: true, status: 'applied', message: expect.stringContaining('not applied again') },
        ],
      })
      expect(done.result).toMatchObject({
        summary: 'Applied automatically.',
        auto_apply: [{ proposal_id: proposal.id, applied: true }],
      })
      expect(await metric(r.h, { outcome: 'already_applied' })).toBe(1)
      expect(await metric(r.h, { outcome: 'applied' })).toBe(0)
    } finally {
      await r.close()
    }
  })

  it('applies a pending proposal left by an attempt that died between creating and applying it', async () => {
    const r = await rig({ start: false })
    try {
      const sessionId = await r.submit(manager, 'plan AA6', { autoApply: true })
      const { proposal, projectId } = await proposeLikeADyingAttempt(r.h, sessionId, 'AA6')
      expect(proposal.status).toBe('pending')

      r.worker.start()
      const done = await r.finished(sessionId)
      expect(done).toMatchObject({ status: 'completed', attempts: 2 })
      expect(await proposalsOf(r.h, sessionId)).toMatchObject([
        { id: proposal.id, status: 'applied', applied_by: manager.id },
      ])
      expect(await projectRows(r.h, projectId)).toHaveLength(1)
      const announced = ofType(done.events, 'proposal_created')
      expect(announced).toHaveLength(1)
      expect(announced[0]?.data).toMatchObject({ proposal_id: proposal.id, auto_applied: true })
      expect(await metric(r.h, { outcome: 'applied' })).toBe(1)
    } finally {
      await r.close()
    }
  })

  it('applies nothing when the work item claims auto-apply that its session row does not have', async () => {
    const r = await rig()
    try {
      // A message saying more than the row RLS checked (as a forged or stale message would).
      const id = await r.submit(manager, 'plan AA7', { workItem: { auto_apply: true } })
      expect((await r.h.session(id))?.auto_apply).toBe(false)
      const done = await r.finished(id)
      expect(done.status).toBe('completed')
      expect(await proposalsOf(r.h, id)).toMatchObject([{ status: 'pending' }])
      expect(done.result).not.toHaveProperty('auto_apply')
      expect(ofType(done.events, 'proposal_created')[0]?.data.auto_applied).toBe(false)
    } finally {
      await r.close()
    }
  })
})

// The branches a worker rarely meets, against the real database without a pipeline: proposals someone else
// decided, a read that went stale, and a database that is down.
describe('autoApplyProposal', () => {
  async function storedProposal(code: string) {
    const sessionId = randomUUID()
    await shared.asService((tx) =>
      tx
        .insertInto('agent_sessions')
        .values({
          id: sessionId,
          organisation_id: manager.organisationId,
          user_id: manager.id,
          agent_type: 'project_management',
          request: `direct ${code}`,
        })
        .execute(),
    )
    const { proposal } = await new SessionStore(shared).attempts.upsertProposal({
      sessionId,
      organisationId: manager.organisationId,
      agentType: 'project_management',
      idempotencyKey: `direct:${code}`,
      title: projectTitle(code),
      summary: '',
      changeset: projectChangeset(sessionId, { clientId, code, currency: 'USD' }),
    })
    return { proposal, projectId: deterministicUuid(sessionId, 'project', code) }
  }
  const as = (db: Database) => ({ db, claims: manager.claims, logger: silentLogger() })

  it('never applies a proposal a second time once it was applied and then reverted', async () => {
    const { proposal, projectId } = await storedProposal('DA1')
    await applyProposal(shared, manager.claims, proposal.id)
    const reverted = await revertProposal(shared, manager.claims, proposal.id)
    expect(await autoApplyProposal(as(shared), reverted)).toMatchObject({
      applied: false,
      outcome: 'reverted',
      status: 'reverted',
    })
    expect(await projectRows({ db: shared }, projectId)).toEqual([])
  })

  it('leaves a rejected proposal rejected', async () => {
    const { proposal, projectId } = await storedProposal('DA2')
    const rejected = await rejectProposal(shared, manager.claims, proposal.id)
    expect(await autoApplyProposal(as(shared), rejected)).toMatchObject({
      applied: false,
      outcome: 'rejected',
      message: expect.stringContaining('rejected'),
    })
    expect(await projectRows({ db: shared }, projectId)).toEqual([])
  })

  it('reports a proposal applied since this attempt read it (a person or a concurrent attempt) as applied, once', async () => {
    const { proposal, projectId } = await storedProposal('DA3')
    const applied = await applyProposal(shared, manager.claims, proposal.id)
    // `proposal` is the pending row as read before that apply.
    expect(await autoApplyProposal(as(shared), proposal)).toMatchObject({
      applied: true,
      outcome: 'already_applied',
      status: 'applied',
    })
    const [after] = await shared.asService((tx) =>
      tx.selectFrom('proposals').selectAll().where('id', '=', proposal.id).execute(),
    )
    expect(after).toMatchObject({ status: 'applied', version: applied.version })
    expect(await projectRows({ db: shared }, projectId)).toHaveLength(1)
  })

  it('does not retry a proposal an earlier attempt failed to apply, and repeats why', async () => {
    const { proposal } = await storedProposal('DA4')
    const failed = await shared.asService((tx) =>
      tx
        .updateTable('proposals')
        .set({ status: 'failed', error: { code: 'VERSION_CONFLICT', message: 'The row changed' } as never })
        .where('id', '=', proposal.id)
        .returningAll()
        .executeTakeFirstOrThrow(),
    )
    expect(await autoApplyProposal(as(shared), failed)).toMatchObject({
      applied: false,
      outcome: 'previously_failed',
      status: 'failed',
      error: { code: 'VERSION_CONFLICT', message: 'The row changed' },
      message: expect.stringContaining('an earlier attempt could not apply it'),
    })
  })

  it('throws a transient failure (the attempt is retried) when the database cannot be reached', async () => {
    const { proposal } = await storedProposal('DA5')
    const unreachable = new Database({
      env: databaseEnvSchema.parse({
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
        DATABASE_CONNECT_TIMEOUT_S: '2',
      }),
      applicationName: 'runtime-auto-apply-down',
      logger: silentLogger(),
    })
    try {
      await expect(
        autoApplyProposal({ ...as(unreachable), retryDelaysMs: [10] }, proposal),
      ).rejects.toBeInstanceOf(TransientFailure)
    } finally {
      await unreachable.close().catch(() => {})
    }
    expect(
      await shared.asService((tx) =>
        tx.selectFrom('proposals').select('status').where('id', '=', proposal.id).executeTakeFirst(),
      ),
    ).toEqual({ status: 'pending' })
  })
})
