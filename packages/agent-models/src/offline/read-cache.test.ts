import { Agent, type Message, tool } from '@strands-agents/sdk'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { formatUserMessage } from '../message-format.js'
import { OfflineModel } from './offline-model.js'
import { callTools, finish, lastCall, type Playbook } from './playbook.js'

// The offline model reads each request message once and reuses that reading on the conversation's later
// turns; these check the reuse never changes a turn.

const lookup = tool({
  name: 'lookup',
  description: 'Look a client up',
  inputSchema: z.object({ name: z.string() }),
  callback: ({ name }) => ({ id: `id-${name}` }),
})

/** Looks up the client it read, then answers with what it read: two turns over the same request. */
const echoPlaybook: Playbook = ({ understanding, steps }) => {
  const client = understanding.summary.client?.name ?? 'nobody'
  const found = lastCall(steps, 'lookup')
  if (!found) return callTools(`Looking up ${client}.`, { name: 'lookup', input: { name: client } })
  return finish(`Client ${client}; ${understanding.notes.length} notes.`, {
    result: { client, output: found.output },
  })
}

const CONTEXT = { today: '2026-11-25', clients: [{ id: 'c-acme', name: 'Acme Corp' }] }
const message = (context: Record<string, unknown> = CONTEXT, request = 'How is Acme doing?') =>
  formatUserMessage({ request, agentType: 'project_management', context })

/** The conversation's messages as JSON, without the SDK's random tracking ids. */
async function conversation(model: OfflineModel, input: string): Promise<unknown[]> {
  return (await talk(model, input)).map((m) => {
    const { trackingId: _random, ...json } = JSON.parse(JSON.stringify(m))
    return json
  })
}

async function talk(model: OfflineModel, input: string): Promise<Message[]> {
  const agent = new Agent({ model, tools: [lookup], printer: false })
  await agent.invoke(input)
  return agent.messages
}

describe('the offline model reads a request message once per conversation', () => {
  it('gives the same turns as a model reading every turn afresh', async () => {
    const shared = new OfflineModel({ playbooks: { project_management: echoPlaybook } })
    const first = await conversation(shared, message())
    const again = await conversation(shared, message())
    const fresh = await conversation(
      new OfflineModel({ playbooks: { project_management: echoPlaybook } }),
      message(),
    )
    expect(first).toEqual(fresh)
    expect(again).toEqual(fresh)
    // Each turn, decided from the conversation so far, is the same with and without the cache.
    const messages = await talk(
      new OfflineModel({ playbooks: { project_management: echoPlaybook } }),
      message(),
    )
    expect(messages.length).toBe(4)
    for (let end = 1; end <= messages.length; end++) {
      const uncached = new OfflineModel({ playbooks: { project_management: echoPlaybook } })
      expect(shared.decide(messages.slice(0, end))).toEqual(uncached.decide(messages.slice(0, end)))
    }
  })

  it('reads a message with another context afresh', async () => {
    const model = new OfflineModel({ playbooks: { project_management: echoPlaybook } })
    await conversation(model, message())
    const other = await conversation(
      model,
      message({ ...CONTEXT, clients: [{ id: 'c-acme-2', name: 'Acme Holdings' }] }),
    )
    expect(JSON.stringify(other.at(-1))).toContain('Client Acme Holdings')
  })

  it('keeps a reading intact when a playbook mutates its input (playbooks must be pure)', async () => {
    let calls = 0
    const mutating: Playbook = (input) => {
      calls++
      if (calls === 1) input.understanding.notes.push('changed by the playbook')
      return finish(`${input.understanding.notes.length} notes.`)
    }
    const model = new OfflineModel({ playbooks: { project_management: mutating } })
    const first = await conversation(model, message())
    expect(JSON.stringify(first.at(-1))).toContain('my playbook failed')
    const second = await conversation(model, message())
    expect(JSON.stringify(second.at(-1))).toContain('0 notes.')
  })

  it('keeps only a few recent readings', async () => {
    const model = new OfflineModel({ playbooks: { project_management: echoPlaybook } })
    for (let i = 0; i < 40; i++) await conversation(model, message(CONTEXT, `How is Acme doing, take ${i}?`))
    const size = (model as unknown as { readRequests: Map<string, unknown> }).readRequests.size
    expect(size).toBeLessThanOrEqual(16)
  })
})
