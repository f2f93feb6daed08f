import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { acceptsInput, publishedToolProblems } from './published-tools.js'
import { readConversationRequest } from './wire-requests.js'

// The checks the provider round-trip suites rely on must catch what they claim to catch.
const good = {
  name: 'get_project_status',
  description: 'Status of a project',
  schema: {
    type: 'object',
    properties: { project: { type: 'string', minLength: 1 }, all_active: { type: 'boolean' } },
    additionalProperties: false,
  },
}

describe('publishedToolProblems', () => {
  it('accepts a plain object schema on every wire', () => {
    for (const wire of ['openai', 'openai-responses', 'anthropic', 'bedrock'] as const)
      expect(publishedToolProblems(wire, good)).toEqual([])
  })

  it('flags what a provider refuses or a model misreads', () => {
    const problems = (schema: Record<string, unknown>, name = good.name) =>
      publishedToolProblems('anthropic', { name, description: 'x', schema })
    expect(problems(good.schema, 'get project status')).toEqual([
      expect.stringContaining('the name does not match'),
    ])
    expect(problems({ anyOf: [good.schema] })).toEqual(
      expect.arrayContaining([
        expect.stringContaining('top level is not type "object"'),
        expect.stringContaining('a top-level anyOf'),
      ]),
    )
    const record = z.toJSONSchema(z.object({ context: z.record(z.string(), z.unknown()) }))
    expect(problems(record as Record<string, unknown>)).toEqual([
      expect.stringContaining('input.context uses "propertyNames"'),
    ])
    expect(problems({ ...good.schema, $defs: { a: {} } })).toEqual(
      expect.arrayContaining([expect.stringContaining('uses "$defs"')]),
    )
    expect(problems({ ...good.schema, required: ['missing'] })).toEqual([
      expect.stringContaining('requires "missing"'),
    ])
    expect(problems({ type: 'object', properties: { a: { type: 'strnig' } } })).toEqual([
      expect.stringContaining('not a valid JSON Schema'),
    ])
    expect(publishedToolProblems('bedrock', { ...good, description: ' ' })).toEqual([
      expect.stringContaining('no description'),
    ])
  })

  it('validates a call against the published schema', () => {
    expect(acceptsInput(good, { project: 'NW-202' })).toBeNull()
    expect(acceptsInput(good, { project: 202 })).toMatch(/input\/project must be string/)
  })
})

describe('readConversationRequest', () => {
  const recorded = (body: unknown) => ({ method: 'POST', path: '/', headers: {}, body })

  it('pairs Anthropic tool results with the calls of the message before them', () => {
    const body = (resultId: string) => ({
      tools: [{ name: 'a', description: 'd', input_schema: good.schema }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hi' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'a', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: resultId, content: [{ type: 'text', text: '{"x":1}' }] },
          ],
        },
      ],
    })
    const ok = readConversationRequest('anthropic', recorded(body('toolu_1')))
    expect(ok).toMatchObject({ userText: 'hi', problems: [], results: [{ id: 'toolu_1', json: { x: 1 } }] })
    expect(readConversationRequest('anthropic', recorded(body('toolu_2'))).problems).toEqual([
      'tool result toolu_2 answers no call of the message before it',
      'tool call toolu_1 (a) has no result',
    ])
  })

  it('reads OpenAI Chat Completions tool messages and Bedrock toolResult blocks', () => {
    const chat = readConversationRequest(
      'openai',
      recorded({
        tools: [{ type: 'function', function: { name: 'a', description: 'd', parameters: good.schema } }],
        messages: [
          { role: 'system', content: 'sys' },
          { role: 'user', content: [{ type: 'text', text: 'hi' }] },
          { role: 'assistant', tool_calls: [{ id: 'call_1', function: { name: 'a', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'call_9', content: 'Error: nope' },
        ],
      }),
    )
    expect(chat).toMatchObject({ system: 'sys', tools: [{ name: 'a', schema: good.schema }] })
    expect(chat.problems).toHaveLength(2)
    const bedrock = readConversationRequest(
      'bedrock',
      recorded({
        toolConfig: {
          tools: [{ toolSpec: { name: 'a', description: 'd', inputSchema: { json: good.schema } } }],
        },
        messages: [
          { role: 'user', content: [{ text: 'hi' }] },
          { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'a', input: {} } }] },
          {
            role: 'user',
            content: [{ toolResult: { toolUseId: 't1', content: [{ json: { y: 2 } }], status: 'error' } }],
          },
        ],
      }),
    )
    expect(bedrock).toMatchObject({ problems: [], results: [{ id: 't1', json: { y: 2 }, isError: true }] })
  })
})
