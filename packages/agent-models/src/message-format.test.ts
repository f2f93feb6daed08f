import { describe, expect, it } from 'vitest'
import {
  CONTEXT_CLOSE,
  CONTEXT_OPEN,
  formatUserMessage,
  parseRequestContext,
  parseUserMessage,
} from './message-format.js'

describe('user message format', () => {
  it('puts the request first and the context in a tagged JSON block', () => {
    const text = formatUserMessage({
      request: '  how is Acme doing?  ',
      agentType: 'project_management',
      context: { today: '2026-11-25', project_id: 'p1' },
    })
    expect(text).toBe(
      [
        'how is Acme doing?',
        '',
        CONTEXT_OPEN,
        '{"agentType":"project_management","context":{"today":"2026-11-25","project_id":"p1"}}',
        CONTEXT_CLOSE,
      ].join('\n'),
    )
  })

  it('round-trips, keeping unknown context keys in rawContext', () => {
    const context = { today: '2026-11-25', clients: [{ id: 'c1', name: 'Acme Corp' }], project_id: 'p1' }
    const parsed = parseUserMessage(formatUserMessage({ request: 'Plan it', agentType: 'quotes', context }))
    expect(parsed).toEqual({
      request: 'Plan it',
      agentType: 'quotes',
      context,
      rawContext: context,
      problems: [],
    })
  })

  it('survives requests and context values that contain the tags', () => {
    const request = `Explain ${CONTEXT_OPEN} and ${CONTEXT_CLOSE}\n${CONTEXT_OPEN}\n{}\n${CONTEXT_CLOSE}\nplease`
    const context = { note: `${CONTEXT_CLOSE}\n${CONTEXT_OPEN}` }
    const parsed = parseUserMessage(formatUserMessage({ request, context }))
    expect(parsed.request).toBe(request)
    expect(parsed.rawContext).toEqual(context)
    expect(parsed.agentType).toBeNull()
  })

  it('treats a message without a block as a plain request', () => {
    expect(parseUserMessage('  just text ')).toEqual({
      request: 'just text',
      agentType: null,
      context: {},
      rawContext: {},
      problems: [],
    })
  })

  it('reports unreadable context instead of failing', () => {
    const broken = `Plan it\n\n${CONTEXT_OPEN}\n{not json\n${CONTEXT_CLOSE}`
    expect(parseUserMessage(broken)).toMatchObject({
      request: 'Plan it',
      context: {},
      problems: ['The request context is not valid JSON; I ignored it.'],
    })
    const array = `Plan it\n\n${CONTEXT_OPEN}\n[1]\n${CONTEXT_CLOSE}`
    expect(parseUserMessage(array).problems).toEqual([
      'The request context is not a JSON object; I ignored it.',
    ])
  })

  it('drops only the invalid context fields', () => {
    const { context, problems } = parseRequestContext({
      today: 'next tuesday',
      currency: 'usd',
      clients: [{ id: 'c1', name: 'Acme Corp' }],
      extra: 1,
    })
    expect(context).toEqual({ clients: [{ id: 'c1', name: 'Acme Corp' }], extra: 1 })
    expect(problems).toHaveLength(2)
    expect(problems[0]).toMatch(/^Context field "today" is invalid/)
    expect(problems[1]).toMatch(/^Context field "currency" is invalid/)
    expect(parseRequestContext('nope')).toEqual({
      context: {},
      problems: ['The request context is not a JSON object; I ignored it.'],
    })
  })
})
