// What signed-in users cannot do through the API (PostgREST: role authenticated plus request.jwt.claims),
// even where the table policies let them write the row: the holes closed by the 20261202_0 migrations.

import { randomUUID } from 'node:crypto'
import { type Actor, asActor, attempt, createTenant, type Tenant, testDatabaseUrl } from '@psa/test-kit'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let sql: postgres.Sql
let t: Tenant

beforeAll(async () => {
  sql = postgres(testDatabaseUrl(), { max: 4, onnotice: () => {} })
  t = await createTenant(sql, { data: 'every-table', label: 'Holes' })
})
afterAll(async () => {
  await t?.drop()
  await sql?.end()
})

const as = (key: 'owner' | 'admin' | 'manager' | 'member' | 'viewer'): Actor => t.users[key].actor
const DENIED = { ok: false, code: '42501' }

describe('agent sessions are admitted by the orchestrator only', () => {
  it('a member cannot insert a session directly: not queued, not with a forged queued_at or result', async () => {
    for (const status of ['queued', 'completed'] as const) {
      const outcome = await asActor(sql, as('member'), (tx) =>
        attempt(
          tx,
          (sp) => sp`
            insert into public.agent_sessions (organisation_id, user_id, agent_type, request, status, queued_at,
              result, started_at, completed_at)
            values (${t.orgId}, ${t.users.member.id}, 'quotes', ${'x'.repeat(100_000)}, ${status},
              '2000-01-01', '{"forged":true}', now(), now())`,
        ),
      )
      expect(outcome, status).toMatchObject(DENIED)
    }
    const plain = await asActor(sql, as('owner'), (tx) =>
      attempt(
        tx,
        (sp) => sp`
          insert into public.agent_sessions (organisation_id, user_id, agent_type, request)
          values (${t.orgId}, ${t.users.owner.id}, 'quotes', 'Quote it')`,
      ),
    )
    expect(plain).toMatchObject(DENIED)
  })

  it('nor write its log, its dead letters, or a proposal of its own', async () => {
    const session = t.rows.agent_sessions as string
    const writes = [
      (sp: postgres.TransactionSql) =>
        sp`insert into public.agent_logs (organisation_id, session_id, seq, event_type)
           values (${t.orgId}, ${session}, 999, 'result')`,
      (sp: postgres.TransactionSql) =>
        sp`insert into public.proposals (organisation_id, session_id, agent_type, title, changeset)
           values (${t.orgId}, ${session}, 'quotes', 'Mine', '[]')`,
      (sp: postgres.TransactionSql) =>
        sp`insert into public.agent_dead_letters (organisation_id, session_id, agent_type, payload, reason)
           values (${t.orgId}, ${session}, 'quotes', '{}', 'x')`,
    ]
    for (const write of writes) {
      expect(await asActor(sql, as('owner'), (tx) => attempt(tx, write))).toMatchObject(DENIED)
    }
  })
})

describe('memberships are stamped by the database', () => {
  it('an admin adding a user gets now() as created_at, whatever it sends: it cannot become their default', async () => {
    const victim = t.users.otherMember
    const row = await asActor(sql, as('admin'), async (tx) => {
      const [inserted] = await tx<{ id: string; created_at: Date }[]>`
        insert into public.memberships (organisation_id, user_id, role, created_at)
        values (${t.orgId}, ${victim.id}, 'viewer', '2000-01-01') returning id, created_at`
      const [updated] = await tx<{ created_at: Date }[]>`
        update public.memberships set created_at = '1999-01-01' where id = ${inserted?.id ?? ''} returning created_at`
      // The victim's default organisation: the oldest membership, as @psa/db resolves it (seen whole).
      await tx.unsafe('reset role')
      const [first] = await tx<{ organisation_id: string }[]>`
        select organisation_id from public.memberships where user_id = ${victim.id}
        order by created_at, organisation_id limit 1`
      return { inserted, updated, first }
    })
    expect(Date.now() - (row.inserted?.created_at.getTime() ?? 0)).toBeLessThan(60_000)
    expect(row.updated?.created_at).toEqual(row.inserted?.created_at)
    expect(row.first?.organisation_id).toBe(t.otherOrgId)
  })

  it('an admin cannot re-point an existing (old) membership at another user', async () => {
    const outcome = await asActor(sql, as('admin'), (tx) =>
      attempt(
        tx,
        (sp) => sp`update public.memberships set user_id = ${t.users.otherMember.id}
                   where id = ${t.rows.memberships as string}`,
      ),
    )
    expect(outcome).toMatchObject(DENIED)
  })
})

describe('proposal outcomes are recorded by the apply, not by the caller', () => {
  const proposal = () => t.rows.proposals as string
  const update = (assignment: (sp: postgres.TransactionSql) => postgres.PendingQuery<postgres.Row[]>) =>
    asActor(sql, as('manager'), (tx) => attempt(tx, assignment))

  it('a manager cannot mark a proposal applied (or reverted, or failed) without applying it', async () => {
    for (const status of ['applied', 'failed'] as const) {
      const outcome = await update(
        (
          sp,
        ) => sp`update public.proposals set status = ${status}, error = ${sp.json({ code: 'X', message: 'y' })}
                   where id = ${proposal()}`,
      )
      expect(outcome, status).toMatchObject(DENIED)
    }
  })

  it('nor rewrite the revert changeset or the error', async () => {
    const revert = { version: 1, operations: [{ op: 'delete', table: 'clients', id: t.ids.client }] }
    expect(
      await update(
        (sp) =>
          sp`update public.proposals set revert_changeset = ${sp.json(revert)} where id = ${proposal()}`,
      ),
    ).toMatchObject(DENIED)
    expect(
      await update(
        (sp) =>
          sp`update public.proposals set error = ${sp.json({ code: 'X', message: 'y' })} where id = ${proposal()}`,
      ),
    ).toMatchObject(DENIED)
  })

  it('rejecting stays theirs, stamped with who and when', async () => {
    const row = await asActor(sql, as('manager'), async (tx) => {
      const [r] = await tx<{ status: string; rejected_by: string }[]>`
        update public.proposals set status = 'rejected', rejected_by = ${t.users.owner.id}
        where id = ${proposal()} returning status, rejected_by`
      return r
    })
    expect(row).toEqual({ status: 'rejected', rejected_by: t.users.manager.id })
  })
})

describe('quotes are sent only after approval, and approvals cannot be forged', () => {
  const quote = () => t.ids.quote
  const setStatus = (key: 'manager' | 'admin', status: string, from?: string) =>
    asActor(
      sql,
      as(key),
      (tx) => attempt(tx, (sp) => sp`update public.quotes set status = ${status} where id = ${quote()}`),
      from
        ? async (tx) => {
            await tx`update public.quotes set status = ${from} where id = ${quote()}`
          }
        : undefined,
    )

  it('a draft cannot be sent or accepted without approval', async () => {
    for (const status of ['sent', 'accepted']) {
      expect(await setStatus('manager', status), status).toMatchObject({ ok: false, code: '23514' })
      expect(await setStatus('admin', status), status).toMatchObject({ ok: false, code: '23514' })
    }
    expect(await setStatus('manager', 'accepted', 'pending_approval')).toMatchObject({
      ok: false,
      code: '23514',
    })
    expect(await setStatus('manager', 'accepted', 'approved')).toMatchObject({ ok: false, code: '23514' })
    expect(await setStatus('manager', 'sent', 'approved')).toEqual({ ok: true, count: 1 })
    expect(await setStatus('manager', 'accepted', 'sent')).toEqual({ ok: true, count: 1 })
  })

  it('a sent quote revised for the client goes back to draft and loses its approval', async () => {
    const row = await asActor(
      sql,
      as('manager'),
      async (tx) => {
        const [r] = await tx<{ status: string; approved_by: string | null }[]>`
        update public.quotes set status = 'draft' where id = ${quote()} returning status, approved_by`
        return r
      },
      async (tx) => {
        await tx`update public.quotes set status = 'sent', approved_by = ${t.users.admin.id}, approved_at = now() where id = ${quote()}`
      },
    )
    expect(row).toEqual({ status: 'draft', approved_by: null })
  })

  it('a new quote cannot start as sent or accepted', async () => {
    const outcome = await asActor(sql, as('manager'), (tx) =>
      attempt(
        tx,
        (sp) => sp`insert into public.quotes (organisation_id, client_id, title, status)
                   values (${t.orgId}, ${t.ids.client}, 'Straight to accepted', 'accepted')`,
      ),
    )
    expect(outcome).toMatchObject({ ok: false, code: '23514' })
  })

  it('approved_by is the approver, never what the caller sends, and cannot be set on its own', async () => {
    const forged = randomUUID()
    const result = await asActor(sql, as('admin'), async (tx) => {
      const [alone] = await tx<{ approved_by: string | null }[]>`
        update public.quotes set approved_by = ${t.users.owner.id}, approved_at = now()
        where id = ${quote()} returning approved_by`
      const [approved] = await tx<{ approved_by: string | null }[]>`
        update public.quotes set status = 'approved', approved_by = ${t.users.owner.id}
        where id = ${quote()} returning approved_by`
      const [later] = await tx<{ approved_by: string | null }[]>`
        update public.quotes set approved_by = ${t.users.owner.id}, title = 'Edited'
        where id = ${quote()} returning approved_by`
      return { alone, approved, later }
    })
    expect(forged).not.toBe(t.users.admin.id)
    expect(result.alone?.approved_by).toBeNull()
    expect(result.approved?.approved_by).toBe(t.users.admin.id)
    expect(result.later?.approved_by).toBe(t.users.admin.id)
    expect(await setStatus('manager', 'approved')).toMatchObject(DENIED)
  })
})
