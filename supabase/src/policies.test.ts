// Role-specific rules beyond the table matrix in rls.test.ts: own rows, memberships and owners, agent
// sessions, proposal decisions, quote approval. Each case runs as the real API role in a rolled-back
// transaction against the shared fixtures.
import { randomUUID } from 'node:crypto'
import { type Actor, asActor, attempt, createTenant, type Tenant, testDatabaseUrl } from '@psa/test-kit'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let sql: postgres.Sql
let org: Tenant
let elsewhere: Tenant

beforeAll(async () => {
  sql = postgres(testDatabaseUrl(), { max: 4, onnotice: () => {} })
  ;[org, elsewhere] = await Promise.all([
    createTenant(sql, { data: 'every-table', label: 'Policies' }),
    createTenant(sql, { data: 'every-table', label: 'Elsewhere' }),
  ])
})

afterAll(async () => {
  await Promise.all([org, elsewhere].filter(Boolean).map((t) => t.drop()))
  await sql.end()
})

const as = (role: keyof Tenant['users']): Actor => org.users[role].actor
const id = (table: string) => org.rows[table] as string

/** A second person in the organisation, with no user account (someone else's time is theirs). */
async function addColleague(tx: postgres.TransactionSql): Promise<string> {
  const colleague = randomUUID()
  await tx`
    insert into public.people (id, organisation_id, full_name, role_id, level, cost_rate_minor, bill_rate_minor,
      employment_start)
    values (${colleague}, ${org.orgId}, 'Casey Colleague', ${id('roles')}, 2, 5000, 12000, '2025-03-03')
  `
  return colleague
}

function timeEntry(tx: postgres.TransactionSql, personId: string) {
  return tx`
    insert into public.time_entries (organisation_id, person_id, project_id, work_date, hours)
    values (${org.orgId}, ${personId}, ${id('projects')}, '2027-01-05', 6)
  `
}

describe('time entries', () => {
  it('a member logs their own time, but not anyone else’s', async () => {
    let colleague = ''
    const outcomes = await asActor(
      sql,
      as('member'),
      async (tx) => ({
        own: await attempt(tx, (sp) => timeEntry(sp, org.memberPersonId)),
        theirs: await attempt(tx, (sp) => timeEntry(sp, colleague)),
      }),
      async (tx) => {
        colleague = await addColleague(tx)
      },
    )
    expect(outcomes.own).toEqual({ ok: true, count: 1 })
    expect(outcomes.theirs).toMatchObject({ ok: false, code: '42501' })
  })

  it('a member cannot edit a colleague’s entry; a manager can', async () => {
    let entry = ''
    const prepare = async (tx: postgres.TransactionSql) => {
      const colleague = await addColleague(tx)
      const [row] = await tx<{ id: string }[]>`
        insert into public.time_entries (organisation_id, person_id, project_id, work_date, hours)
        values (${org.orgId}, ${colleague}, ${id('projects')}, '2027-01-06', 4) returning id
      `
      entry = row?.id ?? ''
    }
    const edit = (tx: postgres.TransactionSql) =>
      attempt(tx, (sp) => sp`update public.time_entries set hours = 5 where id = ${entry}`)
    expect(await asActor(sql, as('member'), edit, prepare)).toEqual({ ok: true, count: 0 })
    expect(await asActor(sql, as('manager'), edit, prepare)).toEqual({ ok: true, count: 1 })
  })

  it('a viewer cannot log time, even for the person record of someone they know', async () => {
    const outcome = await asActor(sql, as('viewer'), (tx) =>
      attempt(tx, (sp) => timeEntry(sp, org.memberPersonId)),
    )
    expect(outcome).toMatchObject({ ok: false, code: '42501' })
  })
})

describe('projects and tasks', () => {
  it('a member cannot edit a project; a manager can, and the version moves on', async () => {
    const rename = (tx: postgres.TransactionSql) =>
      attempt(tx, (sp) => sp`update public.projects set name = 'Renamed' where id = ${id('projects')}`)
    expect(await asActor(sql, as('member'), rename)).toEqual({ ok: true, count: 0 })
    const version = await asActor(sql, as('manager'), async (tx) => {
      await tx`update public.projects set name = 'Renamed' where id = ${id('projects')}`
      const [row] = await tx<
        { version: number }[]
      >`select version from public.projects where id = ${id('projects')}`
      return row?.version
    })
    expect(version).toBe(2)
  })

  it('the assignee updates progress on their task but cannot hand it to someone else', async () => {
    const outcomes = await asActor(sql, as('member'), async (tx) => ({
      progress: await attempt(
        tx,
        (sp) =>
          sp`update public.tasks set status = 'in_progress', percent_complete = 40 where id = ${id('tasks')}`,
      ),
      handOver: await attempt(
        tx,
        (sp) => sp`update public.tasks set assignee_person_id = null where id = ${id('tasks')}`,
      ),
      unassigned: await attempt(
        tx,
        (sp) =>
          sp`update public.tasks set status = 'done' where project_id = ${id('projects')} and id <> ${id('tasks')}`,
      ),
    }))
    expect(outcomes.progress).toEqual({ ok: true, count: 1 })
    expect(outcomes.handOver).toMatchObject({ ok: false, code: '42501' })
    expect(outcomes.unassigned).toEqual({ ok: true, count: 0 })
  })
})

describe('memberships', () => {
  const newUser = async (tx: postgres.TransactionSql) => {
    const userId = randomUUID()
    await tx`insert into auth.users (id, email, aud, role) values (${userId}, ${`${userId}@fixture.example`}, 'authenticated', 'authenticated')`
    return userId
  }

  it('admins add members but only owners grant ownership; managers add no one', async () => {
    let userId = ''
    const prepare = async (tx: postgres.TransactionSql) => {
      userId = await newUser(tx)
    }
    const add = (role: string) => (tx: postgres.TransactionSql) =>
      attempt(
        tx,
        (sp) => sp`insert into public.memberships (organisation_id, user_id, role)
          values (${org.orgId}, ${userId}, ${role}::public.membership_role)`,
      )
    expect(await asActor(sql, as('admin'), add('viewer'), prepare)).toEqual({ ok: true, count: 1 })
    expect(await asActor(sql, as('admin'), add('owner'), prepare)).toMatchObject({ ok: false, code: '42501' })
    expect(await asActor(sql, as('owner'), add('owner'), prepare)).toEqual({ ok: true, count: 1 })
    expect(await asActor(sql, as('manager'), add('viewer'), prepare)).toMatchObject({
      ok: false,
      code: '42501',
    })
  })

  it('admins cannot demote or remove an owner, nor promote anyone to owner', async () => {
    const outcomes = await asActor(sql, as('admin'), async (tx) => ({
      demote: await attempt(
        tx,
        (sp) => sp`update public.memberships set role = 'member' where user_id = ${org.users.owner.id}`,
      ),
      remove: await attempt(
        tx,
        (sp) => sp`delete from public.memberships where user_id = ${org.users.owner.id}`,
      ),
      promote: await attempt(
        tx,
        (sp) => sp`update public.memberships set role = 'owner' where user_id = ${org.users.viewer.id}`,
      ),
    }))
    expect(outcomes.demote).toEqual({ ok: true, count: 0 })
    expect(outcomes.remove).toEqual({ ok: true, count: 0 })
    expect(outcomes.promote).toMatchObject({ ok: false, code: '42501' })
  })

  it('the last owner can neither leave nor step down', async () => {
    const outcomes = await asActor(sql, as('owner'), async (tx) => ({
      stepDown: await attempt(
        tx,
        (sp) => sp`update public.memberships set role = 'admin' where user_id = ${org.users.owner.id}`,
      ),
      leave: await attempt(
        tx,
        (sp) => sp`delete from public.memberships where user_id = ${org.users.owner.id}`,
      ),
    }))
    expect(outcomes.stepDown).toMatchObject({
      ok: false,
      code: '23514',
      message: expect.stringMatching(/owner/),
    })
    expect(outcomes.leave).toMatchObject({ ok: false, code: '23514' })
  })

  it('anyone may leave; a member cannot remove others', async () => {
    const outcomes = await asActor(sql, as('member'), async (tx) => ({
      others: await attempt(
        tx,
        (sp) => sp`delete from public.memberships where user_id = ${org.users.viewer.id}`,
      ),
      leave: await attempt(
        tx,
        (sp) => sp`delete from public.memberships where user_id = ${org.users.member.id}`,
      ),
    }))
    expect(outcomes).toEqual({ others: { ok: true, count: 0 }, leave: { ok: true, count: 1 } })
  })

  it('an owner deleting the organisation takes everything in it along', async () => {
    const remaining = await asActor(sql, as('owner'), async (tx) => {
      const deleted = await tx`delete from public.organisations where id = ${org.orgId}`
      await tx.unsafe('reset role')
      const [row] = await tx<{ n: number }[]>`
        select (select count(*) from public.projects where organisation_id = ${org.orgId})
             + (select count(*) from public.time_entries where organisation_id = ${org.orgId})
             + (select count(*) from public.memberships where organisation_id = ${org.orgId})
             + (select count(*) from public.agent_logs where organisation_id = ${org.orgId}) as n
      `
      return { deleted: deleted.count, rows: Number(row?.n) }
    })
    expect(remaining).toEqual({ deleted: 1, rows: 0 })
  })

  it('an admin renames the organisation; a manager cannot', async () => {
    const rename = (tx: postgres.TransactionSql) =>
      attempt(tx, (sp) => sp`update public.organisations set name = 'Renamed' where id = ${org.orgId}`)
    expect(await asActor(sql, as('admin'), rename)).toEqual({ ok: true, count: 1 })
    expect(await asActor(sql, as('manager'), rename)).toEqual({ ok: true, count: 0 })
  })
})

describe('agent sessions', () => {
  const submit =
    (values: { userId: string; autoApply?: boolean; organisationId?: string }) =>
    (tx: postgres.TransactionSql) =>
      attempt(
        tx,
        (sp) => sp`
          insert into public.agent_sessions (organisation_id, user_id, agent_type, request, auto_apply)
          values (${values.organisationId ?? org.orgId}, ${values.userId}, 'resourcing',
            'Who can staff the React roles next month?', ${values.autoApply ?? false})
        `,
      )

  it('nobody submits a session through the API: the orchestrator admits them, as the service', async () => {
    for (const key of ['owner', 'manager', 'member', 'viewer'] as const) {
      const outcome = await asActor(
        sql,
        as(key),
        submit({ userId: org.users[key].id, autoApply: key === 'owner' }),
      )
      expect(outcome, key).toMatchObject({ ok: false, code: '42501' })
    }
    expect(await asActor(sql, { kind: 'service_role' }, submit({ userId: org.users.member.id }))).toEqual({
      ok: true,
      count: 1,
    })
  })

  it('no one submits into an organisation they are not part of', async () => {
    const outcome = await asActor(
      sql,
      elsewhere.users.owner.actor,
      submit({ userId: elsewhere.users.owner.id, organisationId: org.orgId }),
    )
    expect(outcome).toMatchObject({ ok: false, code: '42501' })
  })

  it('users cannot change a session or write its log; the service role does', async () => {
    const byMember = await asActor(sql, as('member'), async (tx) => ({
      update: await attempt(
        tx,
        (sp) =>
          sp`update public.agent_sessions set status = 'cancelled', completed_at = now() where id = ${id('agent_sessions')}`,
      ),
      log: await attempt(
        tx,
        (sp) => sp`insert into public.agent_logs (organisation_id, session_id, seq, event_type)
          values (${org.orgId}, ${id('agent_sessions')}, 2, 'reasoning')`,
      ),
    }))
    expect(byMember.update).toEqual({ ok: true, count: 0 })
    expect(byMember.log).toMatchObject({ ok: false, code: '42501' })
    const byService = await asActor(sql, { kind: 'service_role' }, (tx) =>
      attempt(
        tx,
        (sp) => sp`update public.agent_sessions set status = 'processing', started_at = now(), attempts = 1
          where id = ${id('agent_sessions')}`,
      ),
    )
    expect(byService).toEqual({ ok: true, count: 1 })
  })
})

describe('proposals', () => {
  const decide = (status: string) => (tx: postgres.TransactionSql) =>
    attempt(
      tx,
      (sp) =>
        sp`update public.proposals set status = ${status}::public.proposal_status where id = ${id('proposals')}`,
    )

  it('managers reject; applied is recorded by the apply itself (as the service), never set by a user', async () => {
    expect(await asActor(sql, as('member'), decide('rejected'))).toEqual({ ok: true, count: 0 })
    expect(await asActor(sql, as('manager'), decide('applied'))).toMatchObject({ ok: false, code: '42501' })
    const rejected = await asActor(sql, as('manager'), async (tx) => {
      // A forged decider is overwritten with the real one.
      await tx`update public.proposals set status = 'rejected', rejected_by = ${org.users.owner.id}, rejected_at = '2020-01-01'
        where id = ${id('proposals')}`
      const [row] = await tx<{ rejected_by: string; recent: boolean; version: number }[]>`
        select rejected_by, rejected_at > now() - interval '1 minute' as recent, version
        from public.proposals where id = ${id('proposals')}
      `
      return row
    })
    expect(rejected).toEqual({ rejected_by: org.users.manager.id, recent: true, version: 2 })
  })

  it('users decide, they do not rewrite what the agent proposed', async () => {
    const outcome = await asActor(sql, as('admin'), (tx) =>
      attempt(
        tx,
        (sp) => sp`update public.proposals set changeset = '{"operations":["drop everything"]}'
        where id = ${id('proposals')}`,
      ),
    )
    expect(outcome).toMatchObject({ ok: false, code: '42501' })
  })

  it('follows pending -> applied -> reverted and refuses to go back', async () => {
    const steps = await asActor(sql, { kind: 'service_role' }, async (tx) => ({
      apply: await decide('applied')(tx),
      revert: await decide('reverted')(tx),
      reapply: await decide('applied')(tx),
      reopen: await decide('pending')(tx),
    }))
    expect(steps.apply).toEqual({ ok: true, count: 1 })
    expect(steps.revert).toEqual({ ok: true, count: 1 })
    expect(steps.reapply).toMatchObject({ ok: false, code: '23514' })
    expect(steps.reopen).toMatchObject({ ok: false, code: '23514' })
  })

  it('proposals are created by the workers (service role), never by users', async () => {
    const insert = (tx: postgres.TransactionSql) =>
      attempt(
        tx,
        (sp) => sp`insert into public.proposals (organisation_id, session_id, agent_type, title, changeset)
          values (${org.orgId}, ${id('agent_sessions')}, 'resourcing', 'Book Casey', '{}')`,
      )
    expect(await asActor(sql, as('owner'), insert)).toMatchObject({ ok: false, code: '42501' })
    expect(await asActor(sql, { kind: 'service_role' }, insert)).toEqual({ ok: true, count: 1 })
  })
})

describe('quotes', () => {
  const approve = (tx: postgres.TransactionSql) =>
    attempt(tx, (sp) => sp`update public.quotes set status = 'approved' where id = ${id('quotes')}`)

  it('managers prepare quotes but admins approve them, stamped with who and when', async () => {
    expect(await asActor(sql, as('manager'), approve)).toMatchObject({ ok: false, code: '42501' })
    const approved = await asActor(sql, as('admin'), async (tx) => {
      await approve(tx)
      const [row] = await tx<{ approved_by: string; stamped: boolean }[]>`
        select approved_by, approved_at is not null as stamped from public.quotes where id = ${id('quotes')}
      `
      return row
    })
    expect(approved).toEqual({ approved_by: org.users.admin.id, stamped: true })
  })

  it('managers cannot sidestep approval by inserting an approved quote', async () => {
    const outcome = await asActor(sql, as('manager'), (tx) =>
      attempt(
        tx,
        (sp) => sp`insert into public.quotes (organisation_id, client_id, title, status)
          values (${org.orgId}, ${id('clients')}, 'Pre-approved', 'approved')`,
      ),
    )
    expect(outcome).toMatchObject({ ok: false, code: '42501' })
  })
})
