// A cancelled session must stop its model request, not only its own loop: providers' SDKs have kept
// streaming (and billing) after a cancel. For each provider, a worker runs a session against a loopback
// fake server speaking that provider's protocol, which starts answering and then holds the stream open; the
// session is cancelled through the pipeline, and the fake server must see its connection closed within 1 s.

import { buildModel, parseAgentModelEnv } from '@psa/agent-models'
import {
  type FakeResponse,
  type FakeServer,
  openAiChunk,
  startFakeServer,
  untilClosed,
  writeAnthropicEvents,
  writeBedrockEvents,
  writeOpenAiChunks,
} from '@psa/agent-models/testing'
import { createTenant, openTestDatabase, type Tenant, type TenantUser } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AgentDefinition } from './session-processor.js'
import { startPipelineHarness } from './testing.js'
import { createAgentWorker } from './worker.js'

const agent: AgentDefinition = { agentType: 'quotes', systemPrompt: 'You are a test agent.', tools: [] }

let tenant: Tenant
let user: TenantUser
beforeAll(async () => {
  tenant = await createTenant(openTestDatabase(), { data: 'users' })
  user = tenant.users.admin
})
afterAll(async () => {
  await tenant?.drop()
})

interface Provider {
  name: string
  http2?: boolean
  env(url: string): Record<string, string>
  /** Starts the answer, then leaves the stream open. */
  begin(res: FakeResponse): void
}

const PROVIDERS: Provider[] = [
  {
    name: 'openai',
    env: (url) => ({ AGENT_MODEL_PROVIDER: 'openai', AGENT_MODEL_ID: 'm', OPENAI_BASE_URL: `${url}/v1` }),
    begin: (res) =>
      writeOpenAiChunks(res, [openAiChunk({ role: 'assistant', content: 'Thinking' })], { end: false }),
  },
  {
    name: 'anthropic',
    env: (url) => ({
      AGENT_MODEL_PROVIDER: 'anthropic',
      AGENT_MODEL_ID: 'claude-test',
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: url,
    }),
    begin: (res) =>
      writeAnthropicEvents(
        res,
        [
          {
            type: 'message_start',
            // A message that has begun and not stopped (no stop_reason yet).
            message: Object.fromEntries([
              ['id', 'msg_1'],
              ['type', 'message'],
              ['role', 'assistant'],
              ['content', []],
              ['model', 'claude-test'],
              ['stop_reason', null],
              ['stop_sequence', null],
              ['usage', { input_tokens: 10, output_tokens: 1 }],
            ]),
          },
          { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
          { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Thinking' } },
        ] as (Record<string, unknown> & { type: string })[],
        { end: false },
      ),
  },
  {
    name: 'bedrock',
    http2: true,
    env: (url) => ({
      AGENT_MODEL_PROVIDER: 'bedrock',
      AGENT_MODEL_ID: 'anthropic.claude-test-v1:0',
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret-example',
    }),
    begin: (res) =>
      writeBedrockEvents(
        res,
        [
          { messageStart: { role: 'assistant' } },
          { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Thinking' } } },
        ],
        { end: false },
      ),
  },
]

describe('cancelling a session aborts its model request', () => {
  it.each(PROVIDERS)(
    '$name: the provider sees its connection closed within 1 s',
    async (provider) => {
      let answering: () => void = () => {}
      const answered = new Promise<void>((resolve) => {
        answering = resolve
      })
      let closedAt = 0
      const server: FakeServer = await startFakeServer(
        async (_request, res) => {
          provider.begin(res)
          answering()
          await untilClosed(res)
          closedAt = performance.now()
        },
        { http2: provider.http2 ?? false },
      )
      const h = await startPipelineHarness()
      const worker = createAgentWorker({
        agent,
        model: buildModel(parseAgentModelEnv({ ...provider.env(server.url), AGENT_MODEL_MAX_RETRIES: '0' })),
        ...h.workerDeps,
        concurrency: 1,
        timeoutMs: 60_000,
        maxTurns: 5,
        pullExpiresMs: 1_000,
      })
      worker.start()
      try {
        const session = await h.submit(user, { agentType: 'quotes', request: 'Quote 200h senior dev' })
        await answered
        // Let the first tokens reach the agent, so the cancel lands mid-stream.
        await new Promise((r) => setTimeout(r, 200))
        const cancelledAt = performance.now()
        await h.cancel(user, session.id, 'changed my mind')
        await expect.poll(() => closedAt, { timeout: 1_000, interval: 20 }).toBeGreaterThan(0)
        expect(closedAt - cancelledAt).toBeLessThan(1_000)
        console.info(
          `${provider.name}: connection closed ${Math.round(closedAt - cancelledAt)} ms after the cancel`,
        )
        expect((await h.waitForStatus(session.id, ['cancelled', 'failed', 'completed'])).status).toBe(
          'cancelled',
        )
        expect(server.clientAborts).toBe(1)
      } finally {
        await worker.stop(1_000)
        await h.close()
        await server.close()
      }
    },
    60_000,
  )
})
