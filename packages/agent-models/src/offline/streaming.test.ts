import {
  JsonBlock,
  Message,
  TextBlock,
  ToolResultBlock,
  type ToolSpec,
  ToolUseBlock,
} from '@strands-agents/sdk'
import { describe, expect, it } from 'vitest'
import { formatUserMessage } from '../message-format.js'
import { readConversation } from './conversation.js'
import { chunkText, OfflineModel } from './offline-model.js'
import { callTools, finish } from './playbook.js'
import { extractResult, formatResultBlock } from './result-block.js'

describe('chunkText', () => {
  it('splits at word boundaries without losing characters', () => {
    const text = 'I read this as a request to plan a project.\nNext I look things up.'
    const chunks = chunkText(text, 12)
    expect(chunks.join('')).toBe(text)
    expect(chunks.length).toBeGreaterThan(4)
    for (const chunk of chunks) expect(chunk.length <= 12 || !chunk.trim().includes(' ')).toBe(true)
    expect(chunkText('', 10)).toEqual([])
    expect(chunkText('supercalifragilistic word', 5)).toEqual(['supercalifragilistic ', 'word'])
  })
})

describe('readConversation', () => {
  it('reads the latest request and the tool steps since, with results parsed', () => {
    const request = formatUserMessage({
      request: 'Plan it',
      agentType: 'project_management',
      context: { today: '2026-11-25' },
    })
    const messages = [
      new Message({ role: 'user', content: [new TextBlock('an older request')] }),
      new Message({ role: 'assistant', content: [new TextBlock('done')] }),
      new Message({ role: 'user', content: [new TextBlock(request)] }),
      new Message({
        role: 'assistant',
        content: [
          new TextBlock('Looking.'),
          new ToolUseBlock({ name: 'a', toolUseId: 't1', input: { x: 1 } }),
          new ToolUseBlock({ name: 'b', toolUseId: 't2', input: {} }),
        ],
      }),
      new Message({
        role: 'user',
        content: [
          new ToolResultBlock({
            toolUseId: 't1',
            status: 'success',
            content: [new JsonBlock({ json: { $value: [1, 2] } })],
          }),
          new ToolResultBlock({ toolUseId: 't2', status: 'error', content: [new TextBlock('Error: nope')] }),
        ],
      }),
    ]
    const state = readConversation(messages)
    expect(state.message).toMatchObject({
      request: 'Plan it',
      agentType: 'project_management',
      context: { today: '2026-11-25' },
    })
    expect(state.assistantTurns).toBe(2)
    expect(state.steps).toEqual([
      {
        reasoning: 'Looking.',
        calls: [
          { toolUseId: 't1', name: 'a', input: { x: 1 }, status: 'success', output: [1, 2], text: '[1,2]' },
          { toolUseId: 't2', name: 'b', input: {}, status: 'error', output: null, text: 'Error: nope' },
        ],
      },
    ])
  })
})

describe('OfflineModel.stream', () => {
  const collect = async (
    model: OfflineModel,
    messages: Message[],
    toolSpecs: ToolSpec[] = [
      {
        name: 'lookup',
        description: 'x',
        inputSchema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
      },
    ],
  ) => {
    const events = []
    for await (const event of model.stream(messages, { toolSpecs })) events.push(event)
    return events
  }
  const user = (request: string) => [
    new Message({ role: 'user', content: [new TextBlock(formatUserMessage({ request, agentType: 'x' }))] }),
  ]

  it('emits the provider event sequence for a tool turn', async () => {
    const model = new OfflineModel({
      chunkSize: 1000,
      playbooks: { x: () => callTools('Thinking.', { name: 'lookup', input: { q: 'a' } }) },
    })
    const events = await collect(model, user('asdf'))
    expect(events.map((e) => e.type)).toEqual([
      'modelMessageStartEvent',
      'modelContentBlockStartEvent',
      'modelContentBlockDeltaEvent',
      'modelContentBlockStopEvent',
      'modelContentBlockStartEvent',
      'modelContentBlockDeltaEvent',
      'modelContentBlockStopEvent',
      'modelMessageStopEvent',
      'modelMetadataEvent',
    ])
    expect(events[4]).toEqual({
      type: 'modelContentBlockStartEvent',
      start: { type: 'toolUseStart', name: 'lookup', toolUseId: 'offline-0-0' },
    })
    expect(events[5]).toEqual({
      type: 'modelContentBlockDeltaEvent',
      delta: { type: 'toolUseInputDelta', input: '{"q":"a"}' },
    })
    expect(events[7]).toEqual({ type: 'modelMessageStopEvent', stopReason: 'toolUse' })
  })

  it('ends with endTurn and a result block for a final answer', async () => {
    const model = new OfflineModel({
      chunkSize: 1000,
      playbooks: { x: () => finish('Done.', { result: { ok: true }, reportGaps: false }) },
    })
    const events = await collect(model, user('Plan a 6-week project for Acme'))
    const texts = events.flatMap((e) =>
      e.type === 'modelContentBlockDeltaEvent' && e.delta.type === 'textDelta' ? [e.delta.text] : [],
    )
    expect(texts[1]).toBe(formatResultBlock({ ok: true }))
    expect(extractResult(texts.join('\n'))).toEqual({ ok: true })
    expect(events.at(-2)).toEqual({ type: 'modelMessageStopEvent', stopReason: 'endTurn' })
  })

  it('is a pure function of the conversation', () => {
    const model = new OfflineModel({ playbooks: { x: () => finish('Done.') } })
    const messages = user('Quote 200h senior dev at 30% margin')
    expect(model.decide(messages)).toEqual(model.decide(messages))
    expect(model.decide(messages)).toEqual(
      new OfflineModel({ playbooks: { x: () => finish('Done.') } }).decide(messages),
    )
  })

  it('has a config like the built-in providers', () => {
    const model = new OfflineModel({ modelId: 'offline-test', maxSteps: 4 })
    expect(model.modelId).toBe('offline-test')
    model.updateConfig({ chunkSize: 10 })
    expect(model.getConfig()).toMatchObject({ modelId: 'offline-test', maxSteps: 4, chunkSize: 10 })
    expect(model.stateful).toBe(false)
  })
})
