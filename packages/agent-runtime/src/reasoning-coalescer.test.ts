import { setTimeout as sleep } from 'node:timers/promises'
import { JsonBlock, TextBlock, ToolResultBlock } from '@strands-agents/sdk'
import { describe, expect, it } from 'vitest'
import { describeToolResult } from './event-bridge.js'
import { ReasoningCoalescer } from './reasoning-coalescer.js'

function collect(options: { maxChars?: number; maxDelayMs?: number } = {}) {
  const chunks: string[] = []
  return { chunks, c: new ReasoningCoalescer((t) => chunks.push(t), options) }
}

describe('ReasoningCoalescer', () => {
  it('sends a chunk per ~maxChars at a word boundary and the rest at the end of the message', () => {
    const { chunks, c } = collect({ maxChars: 20, maxDelayMs: 10_000 })
    for (const word of 'the quick brown fox jumps over the lazy dog again and again'.split(' '))
      c.push(`${word} `)
    c.endMessage()
    expect(chunks.join('').trimEnd()).toBe('the quick brown fox jumps over the lazy dog again and again')
    expect(chunks.length).toBeGreaterThan(2)
    expect(chunks.every((chunk) => chunk.length <= 20)).toBe(true)
    expect(chunks.slice(0, -1).every((chunk) => chunk.endsWith(' '))).toBe(true)
    c.dispose()
  })

  it('sends what it holds after maxDelayMs, so a slow model still shows progress', async () => {
    const { chunks, c } = collect({ maxChars: 1_000, maxDelayMs: 30 })
    c.push('Thinking about it')
    expect(chunks).toEqual([])
    await sleep(60)
    expect(chunks).toEqual(['Thinking about it'])
    c.dispose()
  })

  it('never sends the <result> block, even when its tag arrives split over deltas', () => {
    const { chunks, c } = collect({ maxChars: 5, maxDelayMs: 10_000 })
    for (const delta of ['Done. ', 'All good.\n<res', 'ult>\n{"a":1}', '\n</result>']) c.push(delta)
    c.endMessage()
    expect(chunks.join('')).toBe('Done. All good.')
    c.dispose()
  })

  it('flushes before a tool call and starts afresh for the next message', () => {
    const { chunks, c } = collect({ maxChars: 1_000, maxDelayMs: 10_000 })
    c.push('Looking it up.')
    c.flush()
    c.endMessage()
    c.push('Found it.')
    c.endMessage()
    expect(chunks).toEqual(['Looking it up.', 'Found it.'])
    c.dispose()
  })
})

describe('describeToolResult', () => {
  it('takes the summary and the JSON output of a successful call', () => {
    const result = new ToolResultBlock({
      toolUseId: 't1',
      status: 'success',
      content: [new JsonBlock({ json: { summary: '3 clients', count: 3 } })],
    })
    expect(describeToolResult(result)).toEqual({
      output: { summary: '3 clients', count: 3 },
      summary: '3 clients',
    })
  })

  it('uses the error text of a failed call and truncates huge outputs', () => {
    const failed = new ToolResultBlock({
      toolUseId: 't2',
      status: 'error',
      content: [new TextBlock('Error: NOT_FOUND: No such client')],
    })
    expect(describeToolResult(failed)).toEqual({ output: null, summary: 'NOT_FOUND: No such client' })
    const huge = new ToolResultBlock({
      toolUseId: 't3',
      status: 'success',
      content: [
        new JsonBlock({
          json: { $value: Array.from({ length: 10_000 }, (_, i) => ({ i, text: 'x'.repeat(10) })) },
        }),
      ],
    })
    const described = describeToolResult(huge)
    expect(described.summary).toBe('10000 item(s)')
    expect(described.output).toMatchObject({ truncated: true })
    expect(JSON.stringify(described.output).length).toBeLessThan(33_000)
  })
})
