import { randomUUID } from 'node:crypto'
import type { Database } from '@psa/db'
import { openTestDatabase, silentLogger } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHANGES_CHANNEL, ChangeFeed } from './change-feed.js'

let db: Database
let feed: ChangeFeed

beforeAll(async () => {
  db = openTestDatabase({ poolMax: 2 })
  feed = new ChangeFeed({ db, logger: silentLogger(), coalesceMs: 10 })
  await feed.ready()
})

afterAll(async () => {
  await feed.close()
  await db.sql.end()
})

/** Notifies a change of `table` in the organisation and resolves once the feed has had time to flush. */
async function notify(organisationId: string, table: string): Promise<void> {
  const payload = JSON.stringify({ organisation_id: organisationId, table })
  await db.sql`select pg_notify(${CHANGES_CHANNEL}, ${payload})`
  await new Promise((resolve) => setTimeout(resolve, 200))
}

describe('ChangeFeed subscriptions', () => {
  it('keeps a newer subscriber of the organisation when an ended stream unsubscribes a second time', async () => {
    const org = randomUUID()
    const first = feed.subscribe(org, () => {})
    first()
    const seen: string[][] = []
    const second = feed.subscribe(org, (tables) => seen.push([...tables]))
    first() // a stream's end can run twice: on shutdown and again when its socket closes
    await notify(org, 'projects')
    expect(seen).toEqual([['projects']])
    second()
  })

  it('holds no entry for an organisation once all its streams have ended', async () => {
    const before = feed.organisations
    const ends = Array.from({ length: 50 }, () => feed.subscribe(randomUUID(), () => {}))
    expect(feed.organisations).toBe(before + 50)
    for (const end of ends) {
      end()
      end()
    }
    expect(feed.organisations).toBe(before)
  })
})
