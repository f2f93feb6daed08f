import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { createLogger } from '@psa/config'
import { connectNats, type NatsClients, natsEnvSchema } from '@psa/nats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LineLengths } from './admission.js'
import { deleteTopology, ensureTopology, PipelineTopology, pipelineEnvSchema } from './topology.js'

const topology = new PipelineTopology(
  pipelineEnvSchema.parse({ PIPELINE_NAMESPACE: `t_line_${randomBytes(4).toString('hex')}` }),
)
const logger = createLogger({
  service: 'test',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, d) => d() }),
})
let nats: NatsClients

beforeAll(async () => {
  nats = await connectNats({ env: natsEnvSchema.parse({}), name: 'line-lengths-test', logger })
  await ensureTopology(nats.jsm, topology)
})
afterAll(async () => {
  await deleteTopology(nats.jsm, topology)
  await nats.close()
})

const queue = async (n: number) => {
  for (let i = 0; i < n; i++) await nats.js.publish(topology.requestSubject('quotes'), '{}')
}

describe('LineLengths', () => {
  it("counts the requests waiting in JetStream, then the process's own admissions, then asks again", async () => {
    await queue(3)
    const lines = new LineLengths({ jsm: nats.jsm, topology }, 200)
    // Three wait: the next request is fourth. Its neighbours admitted before the next refresh follow it.
    expect(await lines.placeOfNext('quotes')).toBe(4)
    await queue(1)
    expect(await lines.placeOfNext('quotes')).toBe(5)
    await queue(1)
    // Requests admitted elsewhere only show after the refresh.
    await queue(2)
    expect(await lines.placeOfNext('quotes')).toBe(6)
    await new Promise((r) => setTimeout(r, 250))
    expect(await lines.placeOfNext('quotes')).toBe(8)
    // Types are counted separately.
    expect(await lines.placeOfNext('resourcing')).toBe(1)
  })

  it('asks JetStream once for concurrent admissions', async () => {
    const lines = new LineLengths({ jsm: nats.jsm, topology }, 10_000)
    const places = await Promise.all(Array.from({ length: 5 }, () => lines.placeOfNext('project_management')))
    expect(places.sort()).toEqual([1, 2, 3, 4, 5])
  })
})
