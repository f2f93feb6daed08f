import { workerRoundTrips } from '@psa/agent-runtime/testing'
import { demoDataLoaded, demoUser, NORTHWIND_ORGANISATION_ID } from '@psa/demo-data'
import { openTestDatabase, testUser } from '@psa/test-kit'
import { describe, expect, it } from 'vitest'
import { resourcingAgent } from './agent.js'
import { resourcingPlaybook } from './playbook.js'

// The benchmark's request for this agent (npm run bench:pipeline), counted in the worker's Postgres round
// trips: each is a wait on both sides, and the worker's CPU per completion grows with them.
describe('worker round trips', () => {
  it('stays within its budget for the benchmark request', async (context) => {
    const db = openTestDatabase()
    const loaded = await demoDataLoaded(db.sql).finally(() => db.close())
    if (!loaded) context.skip()
    const turns = await workerRoundTrips({
      agent: resourcingAgent,
      playbook: resourcingPlaybook,
      user: testUser(demoUser('admin@northwind.example'), NORTHWIND_ORGANISATION_ID),
      request: 'Who can staff React roles next month?',
      sessions: 5,
    })
    console.info(`resourcing worker: Postgres round trips per session ${turns.join(', ')}`)
    for (const n of turns) expect(n).toBeLessThanOrEqual(100)
  }, 60_000)
})
