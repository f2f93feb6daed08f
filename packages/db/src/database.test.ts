import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { createLogger } from '@psa/config'
import { AppError } from '@psa/errors'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { databaseEnvSchema } from './env.js'
import { Database, sql } from './index.js'

// A scratch database with one RLS-protected table, so this package's behaviour is tested on its own,
// against the real server and the real Supabase roles (created by the dev/CI bootstrap).
const adminUrl = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const dbName = `psa_db_pkg_${randomUUID().slice(0, 8)}`
const dbUrl = adminUrl.replace(/\/[^/]*$/, `/${dbName}`)
const logger = createLogger({
  service: 'test',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, d) => d() }),
})
const alice = { id: randomUUID(), email: 'alice@example.test' }
const bob = { id: randomUUID(), email: 'bob@example.test' }
const claims = (u: { id: string; email: string }) => ({
  sub: u.id,
  role: 'authenticated',
  email: u.email,
  aud: 'authenticated',
})

async function prepareScratchDatabase() {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${dbName}`)
  await admin.end()
  const db = postgres(dbUrl, { max: 1, onnotice: () => {} })
  await db.unsafe(`
    do $$ begin
      if not exists (select from pg_roles where rolname = 'authenticated') then create role authenticated nologin; end if;
      if not exists (select from pg_roles where rolname = 'service_role') then create role service_role nologin bypassrls; end if;
    end $$;
    create table notes (
      id bigint generated always as identity primary key,
      owner uuid not null default (current_setting('request.jwt.claims', true)::jsonb ->> 'sub')::uuid,
      body text not null check (length(body) > 0)
    );
    alter table notes enable row level security;
    create policy notes_owner on notes to authenticated
      using (owner = (current_setting('request.jwt.claims', true)::jsonb ->> 'sub')::uuid)
      with check (owner = (current_setting('request.jwt.claims', true)::jsonb ->> 'sub')::uuid);
    grant select, insert, update, delete on notes to authenticated, service_role;
    insert into notes (owner, body) values ('${alice.id}', 'alice 1'), ('${alice.id}', 'alice 2'), ('${bob.id}', 'bob 1');
  `)
  await db.end()
}

function database(url: string, overrides: Record<string, string> = {}) {
  const env = databaseEnvSchema.parse({ DATABASE_URL: url, ...overrides })
  return new Database({ env, applicationName: 'psa-db-test', logger })
}

async function notesVisible(db: Database, user?: { id: string; email: string }) {
  const read = (tx: Parameters<Parameters<Database['asService']>[0]>[0]) =>
    sql<{ body: string }>`select body from notes order by id`
      .execute(tx)
      .then((r) => r.rows.map((n) => n.body))
  return user ? db.asUser(claims(user), read) : db.asService(read)
}

beforeAll(prepareScratchDatabase)
afterAll(async () => {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`drop database if exists ${dbName} with (force)`)
  await admin.end()
})

describe('Database (direct connection)', () => {
  let db: Database
  beforeAll(() => {
    db = database(dbUrl)
  })
  afterAll(() => db.close())

  it('applies RLS for the user and bypasses it for the service', async () => {
    expect(await notesVisible(db, alice)).toEqual(['alice 1', 'alice 2'])
    expect(await notesVisible(db, bob)).toEqual(['bob 1'])
    expect(await notesVisible(db)).toEqual(['alice 1', 'alice 2', 'bob 1'])
  })

  it('exposes the claims the way Supabase helpers read them', async () => {
    const seen = await db.asUser(claims(alice), async (tx) => {
      const { rows } = await sql<{ role: string; sub: string; who: string }>`
        select current_user as who,
               current_setting('request.jwt.claims', true)::jsonb ->> 'role' as role,
               current_setting('request.jwt.claims', true)::jsonb ->> 'sub' as sub`.execute(tx)
      return rows[0]
    })
    expect(seen).toEqual({ who: 'authenticated', role: 'authenticated', sub: alice.id })
  })

  it('runs every transaction without JIT compilation, as the user, the service and on the raw path', async () => {
    const jit = (tx: Parameters<Parameters<Database['asService']>[0]>[0]) =>
      sql<{ jit: string }>`select current_setting('jit') as jit`.execute(tx).then((r) => r.rows[0]?.jit)
    expect(await db.asUser(claims(alice), jit)).toBe('off')
    expect(await db.asService(jit)).toBe('off')
    const raw = await db.asUserSql(claims(alice), (tx) => tx`select current_setting('jit') as jit`)
    expect(raw[0]?.jit).toBe('off')
  })

  it('leaves no role or claims behind on the connection after the transaction', async () => {
    await notesVisible(db, alice)
    const [row] =
      await db.sql`select current_user as who, current_setting('request.jwt.claims', true) as claims`
    expect(row?.who).toBe('postgres')
    expect(row?.claims ?? '').toBe('')
  })

  it('turns an RLS refusal into FORBIDDEN and a check violation into VALIDATION_FAILED', async () => {
    const forged = db.asUser(claims(alice), (tx) =>
      sql`insert into notes (owner, body) values (${bob.id}::uuid, 'forged')`.execute(tx),
    )
    await expect(forged).rejects.toMatchObject({ code: 'FORBIDDEN' })
    const empty = db.asUser(claims(alice), (tx) => sql`insert into notes (body) values ('')`.execute(tx))
    await expect(empty).rejects.toBeInstanceOf(AppError)
    await expect(empty).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { constraint: 'notes_body_check' },
    })
  })

  it('rolls back everything when the callback throws', async () => {
    await expect(
      db.asUser(claims(bob), async (tx) => {
        await sql`insert into notes (body) values ('bob 2')`.execute(tx)
        throw new AppError('CONFLICT', 'changed my mind')
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(await notesVisible(db, bob)).toEqual(['bob 1'])
  })

  it('runs statements started together in one transaction, in order, as the user', async () => {
    const [first, inserted, second] = await db.asUser(claims(bob), (tx) =>
      Promise.all([
        sql<{ xid: string; n: number }>`select txid_current()::text as xid, count(*)::int as n from notes`
          .execute(tx)
          .then((r) => r.rows[0]),
        sql<{ owner: string }>`insert into notes (body) values ('bob together') returning owner`
          .execute(tx)
          .then((r) => r.rows[0]),
        sql<{ xid: string; n: number }>`select txid_current()::text as xid, count(*)::int as n from notes`
          .execute(tx)
          .then((r) => r.rows[0]),
      ]),
    )
    expect(second?.xid).toBe(first?.xid)
    // Bob's own rows only (RLS), and the insert sent between the two selects is seen by the second.
    expect(first?.n).toBe(1)
    expect(inserted?.owner).toBe(bob.id)
    expect(second?.n).toBe(2)
    await db.asService((tx) => sql`delete from notes where body = 'bob together'`.execute(tx))
  })

  it('fails a transaction whose callback went on after a failed statement, writing nothing', async () => {
    const swallowed = db.asUser(claims(bob), async (tx) => {
      await sql`insert into notes (body) values ('bob swallowed')`.execute(tx)
      await sql`insert into notes (body) values ('')`.execute(tx).catch(() => {})
      return 'done'
    })
    await expectAborted(swallowed, '23514')
    const raw = db.asUserSql(claims(bob), async (tx) => {
      await tx`insert into notes (body) values ('bob swallowed raw')`
      await tx`insert into notes (body) values ('')`.catch(() => {})
      return 'done'
    })
    await expectAborted(raw, '23514')
    expect(await notesVisible(db, bob)).toEqual(['bob 1'])
    // Both connections went back to the pool in working order.
    expect(await notesVisible(db, bob)).toEqual(['bob 1'])
    expect((await db.asUserSql(claims(bob), (tx) => tx`select 1 as one`))[0]?.one).toBe(1)
  })

  it('sets the statement and idle-in-transaction timeouts in every transaction, on both paths', async () => {
    const timed = database(dbUrl, {
      DATABASE_STATEMENT_TIMEOUT_MS: '1234',
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '4321',
    })
    try {
      await expectTimeouts(timed, { statement: '1234ms', idle: '4321ms' })
    } finally {
      await timed.close()
    }
  })

  it('ends a transaction left idle past the timeout as UNAVAILABLE, and the pool goes on', async () => {
    const idle = database(dbUrl, { DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '150', DATABASE_POOL_MAX: '1' })
    try {
      const pause = () => new Promise((r) => setTimeout(r, 600))
      const kysely = idle.asUser(claims(bob), async (tx) => {
        await sql`select 1`.execute(tx)
        await pause()
        return sql`select 2`.execute(tx)
      })
      await expect(kysely).rejects.toMatchObject({ code: 'UNAVAILABLE' })
      const raw = idle.asUserSql(claims(bob), async (tx) => {
        await tx`select 1`
        await pause()
        return tx`select 2`
      })
      await expect(raw).rejects.toMatchObject({ code: 'UNAVAILABLE' })
      expect(await notesVisible(idle, bob)).toEqual(['bob 1'])
      expect((await idle.asUserSql(claims(bob), (tx) => tx`select 1 as one`))[0]?.one).toBe(1)
    } finally {
      await idle.close()
    }
  })

  it('never sends a statement of a transaction the server ended on the connection reopened for another', async () => {
    const idle = database(dbUrl, { DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '150', DATABASE_POOL_MAX: '1' })
    try {
      const stale = idle.asUserSql(claims(bob), async (tx) => {
        await tx`select 1`
        await new Promise((r) => setTimeout(r, 600))
        return tx`select current_user as who`
      })
      // Waits for the pool's one connection, which the pool reopens for it once the server closed it.
      await new Promise((r) => setTimeout(r, 50))
      const other = idle.asService((tx) => sql`select pg_sleep(0.8)`.execute(tx))
      await expect(stale).rejects.toMatchObject({ code: 'UNAVAILABLE' })
      await other
      expect(await notesVisible(idle, bob)).toEqual(['bob 1'])
    } finally {
      await idle.close()
    }
  })

  it('gives a reservation waiting for the pool the connection that closed under another', async () => {
    const one = database(dbUrl, { DATABASE_POOL_MAX: '1' })
    const admin = postgres(dbUrl, { max: 1, onnotice: () => {} })
    try {
      const first = await one.sql.reserve()
      const [row] = await first`select pg_backend_pid() as pid`
      const waiting = one.sql.reserve()
      await new Promise((r) => setTimeout(r, 50))
      await admin`select pg_terminate_backend(${row?.pid})`
      const second = await waiting
      expect((await second`select 1 as one`)[0]?.one).toBe(1)
      second.release()
      // The terminated one is the pool's again (connection-loss.ts): released, it would be counted twice.
      await expect(first`select 1`).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' })
      first.release()
      expect(await notesVisible(one, bob)).toEqual(['bob 1'])
    } finally {
      await admin.end()
      await one.close()
    }
  })

  it('reports an unreachable server as UNAVAILABLE', async () => {
    const down = database('postgres://postgres@127.0.0.1:1/none', { DATABASE_CONNECT_TIMEOUT_S: '1' })
    await expect(notesVisible(down)).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    await expect(down.ping()).rejects.toThrow()
    await down.close()
  })
})

// Supabase's transaction pooler hands every transaction whichever server connection is free. PgBouncer in
// transaction mode does the same, so it stands in for Supavisor here: with one server connection shared
// by all clients, users must still only see their own rows, and nothing may leak between transactions.
const pgbouncer = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p))
describe.skipIf(!pgbouncer && !process.env.CI)('Database behind a transaction pooler (PgBouncer)', () => {
  let bouncer: ChildProcess
  let db: Database
  let bouncerUrl: string

  beforeAll(async () => {
    if (!pgbouncer) throw new Error('pgbouncer is not installed (apt-get install pgbouncer); CI installs it')
    const port = await freePort()
    const dir = mkdtempSync(join(tmpdir(), 'psa-pgbouncer-'))
    chmodSync(dir, 0o777)
    const target = new URL(dbUrl)
    writeFileSync(
      join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `${dbName} = host=${target.hostname} port=${target.port || 5432} dbname=${dbName} user=postgres`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'auth_type = any',
        'pool_mode = transaction',
        'default_pool_size = 1',
        'max_client_conn = 50',
        `unix_socket_dir = ${dir}`,
        'ignore_startup_parameters = extra_float_digits,application_name,statement_timeout',
      ].join('\n'),
    )
    bouncer = spawn(
      pgbouncer,
      [...(process.getuid?.() === 0 ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')],
      {
        stdio: 'ignore',
      },
    )
    await waitForPort(port)
    bouncerUrl = `postgres://postgres@127.0.0.1:${port}/${dbName}`
    db = database(bouncerUrl, {
      DATABASE_PREPARED_STATEMENTS: 'false',
      DATABASE_POOL_MAX: '8',
    })
  })
  afterAll(async () => {
    await db?.close()
    bouncer?.kill('SIGTERM')
  })

  it('keeps users apart when concurrent transactions share one server connection', async () => {
    const runs = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? undefined : i % 3 === 1 ? alice : bob))
    const results = await Promise.all(runs.map((user) => notesVisible(db, user)))
    results.forEach((seen, i) => {
      const user = runs[i]
      const expected =
        user === alice ? ['alice 1', 'alice 2'] : user === bob ? ['bob 1'] : ['alice 1', 'alice 2', 'bob 1']
      expect(seen).toEqual(expected)
    })
    const [row] =
      await db.sql`select current_user as who, current_setting('request.jwt.claims', true) as claims`
    expect(row?.who).toBe('postgres')
    expect(row?.claims ?? '').toBe('')
  })

  // PgBouncer drops the statement_timeout startup parameter (it must be listed in ignore_startup_parameters
  // or it refuses the connection), so only the transaction's own settings bound a statement there.
  it('bounds statements and idle transactions, which the startup parameter cannot do here', async () => {
    const timed = database(bouncerUrl, {
      DATABASE_PREPARED_STATEMENTS: 'false',
      DATABASE_STATEMENT_TIMEOUT_MS: '200',
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '4321',
    })
    try {
      await expectTimeouts(timed, { statement: '200ms', idle: '4321ms' })
      const slow = timed.asService((tx) => sql`select pg_sleep(2)`.execute(tx))
      await expect(slow).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' })
      const slowRaw = timed.asUserSql(claims(bob), (tx) => tx`select pg_sleep(2)`)
      await expect(slowRaw).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' })
    } finally {
      await timed.close()
    }
  })
})

async function expectAborted(run: Promise<unknown>, firstFailure: string): Promise<void> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(AppError)
  expect(err).toMatchObject({ code: 'INTERNAL', details: { reason: 'transaction_aborted' } })
  expect((err as AppError).cause).toMatchObject({ code: firstFailure })
}

async function expectTimeouts(db: Database, expected: { statement: string; idle: string }): Promise<void> {
  const read = (tx: Parameters<Parameters<Database['asService']>[0]>[0]) =>
    sql<{ statement: string; idle: string }>`
      select current_setting('statement_timeout') as statement,
             current_setting('idle_in_transaction_session_timeout') as idle`
      .execute(tx)
      .then((r) => r.rows[0])
  expect(await db.asUser(claims(alice), read)).toEqual(expected)
  expect(await db.asService(read)).toEqual(expected)
  const [raw] = await db.asUserSql(
    claims(alice),
    (tx) => tx`select current_setting('statement_timeout') as statement,
                      current_setting('idle_in_transaction_session_timeout') as idle`,
  )
  expect({ ...raw }).toEqual(expected)
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const probe = postgres(`postgres://postgres@127.0.0.1:${port}/${dbName}`, {
        max: 1,
        connect_timeout: 1,
        prepare: false,
        onnotice: () => {},
      })
      probe`select 1`.then(
        () => probe.end().then(() => resolve(true)),
        () => probe.end().then(() => resolve(false)),
      )
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`pgbouncer did not start on port ${port}`)
}
