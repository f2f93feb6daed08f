import { createScratchDatabase, type ScratchDatabase } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The change feed's contract with the database (the gateway's /api/changes listens on `psa_changes`): one
// notification per organisation and table per transaction, at commit, none for a statement that touched no
// row and none for a rolled back one; the payload names the organisation and the table, nothing else.
let scratch: ScratchDatabase
const received: string[] = []
let unlisten: (() => Promise<void>) | undefined
const [a, b] = ['0c000000-0000-4000-8000-00000000000a', '0c000000-0000-4000-8000-00000000000b']

beforeAll(async () => {
  scratch = await createScratchDatabase('change_notifications')
  const sql = scratch.db.sql
  await sql`insert into public.organisations (id, name, slug, currency) values
    (${a}, 'Org A', 'org-a', 'USD'), (${b}, 'Org B', 'org-b', 'EUR')`
  const listening = await sql.listen('psa_changes', (payload) => received.push(payload))
  unlisten = listening.unlisten
})
afterAll(async () => {
  await unlisten?.()
  await scratch?.drop()
})

/** What arrives for `write` (after a round trip through the listener's connection). */
async function notified(
  write: () => Promise<unknown>,
): Promise<Array<{ organisation_id: string; table: string }>> {
  received.length = 0
  await write()
  await scratch.db.sql`select pg_notify('psa_changes', 'marker')`
  for (let i = 0; i < 100 && !received.includes('marker'); i++) await new Promise((r) => setTimeout(r, 20))
  return received.filter((p) => p !== 'marker').map((p) => JSON.parse(p))
}

describe('psa_changes', () => {
  it('notifies once per organisation and table for a statement of many rows, with the same payload', async () => {
    const sql = scratch.db.sql
    const rows = Array.from({ length: 50 }, (_, i) => ({
      organisation_id: i % 2 ? a : b,
      name: `Client ${i}`,
    }))
    const got = await notified(() => sql`insert into public.clients ${sql(rows)}`)
    expect(got.sort((x, y) => x.organisation_id.localeCompare(y.organisation_id))).toEqual([
      { organisation_id: a, table: 'clients' },
      { organisation_id: b, table: 'clients' },
    ])
    expect(
      await notified(() => sql`update public.clients set industry = 'Retail' where organisation_id = ${a}`),
    ).toEqual([{ organisation_id: a, table: 'clients' }])
    expect(await notified(() => sql`delete from public.clients where organisation_id = ${b}`)).toEqual([
      { organisation_id: b, table: 'clients' },
    ])
  })

  it('notifies once per transaction, and not at all for nothing touched or a rollback', async () => {
    const sql = scratch.db.sql
    expect(
      await notified(() =>
        sql.begin(async (tx) => {
          await tx`insert into public.clients (organisation_id, name) values (${a}, 'One')`
          await tx`insert into public.clients (organisation_id, name) values (${a}, 'Two')`
          await tx`update public.clients set industry = 'Energy' where organisation_id = ${a}`
        }),
      ),
    ).toEqual([{ organisation_id: a, table: 'clients' }])
    expect(await notified(() => sql`update public.clients set industry = 'x' where false`)).toEqual([])
    const rollback = new Error('rollback')
    expect(
      await notified(() =>
        sql
          .begin(async (tx) => {
            await tx`insert into public.clients (organisation_id, name) values (${b}, 'Gone')`
            throw rollback
          })
          .catch((err: unknown) => {
            if (err !== rollback) throw err
          }),
      ),
    ).toEqual([])
  })
})
