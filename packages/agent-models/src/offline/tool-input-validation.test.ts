import type { ToolSpec } from '@strands-agents/sdk'
import { describe, expect, it } from 'vitest'
import { checkToolInput } from './tool-input-validation.js'

const spec = (): ToolSpec => ({
  name: 'price_quote',
  description: 'Price lines',
  inputSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { hours: { type: 'number', minimum: 1 } },
    required: ['hours'],
    additionalProperties: false,
  },
})

describe('checkToolInput validator caches', () => {
  it('answers the same for the same schema object, an equal copy and a fresh compile', () => {
    const one = spec()
    const answers = (s: ToolSpec) => [
      checkToolInput(s, { hours: 10 }),
      checkToolInput(s, { hours: 0 }),
      checkToolInput(s, { hours: 10, extra: true }),
    ]
    const first = answers(one)
    expect(first[0]).toBeNull()
    expect(first[1]).toContain('input/hours must be >= 1')
    expect(first[2]).toContain('must NOT have additional properties')
    expect(answers(one)).toEqual(first)
    expect(answers(spec())).toEqual(first)
    // A different schema is not answered from another's cache entry.
    const other = spec()
    ;(other.inputSchema as { properties: { hours: { minimum: number } } }).properties.hours.minimum = 0
    expect(checkToolInput(other, { hours: 0 })).toBeNull()
  })

  it('reports a schema that cannot be compiled, every time', () => {
    const broken: ToolSpec = {
      name: 'x',
      description: 'x',
      inputSchema: { type: 'object', required: 5 } as never,
    }
    const reason = checkToolInput(broken, {})
    expect(reason).toMatch(/could not be compiled \(required value must be \["array"\]\)/)
    expect(checkToolInput(broken, {})).toBe(reason)
    const badType: ToolSpec = { name: 'y', description: 'y', inputSchema: { type: 'objekt' } as never }
    expect(checkToolInput(badType, {})).toMatch(/could not be compiled \(type must be JSONType/)
  })
})
