import { describe, expect, it } from 'vitest'
import { childTraceContext, formatTraceparent, parseTraceparent, traceLogFields } from './trace-context.js'

const header = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'

describe('trace context', () => {
  it('parses and formats a traceparent', () => {
    const ctx = parseTraceparent(header)
    expect(ctx).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      sampled: true,
    })
    expect(formatTraceparent(ctx as NonNullable<typeof ctx>)).toBe(header)
  })

  it('ignores malformed or all-zero values', () => {
    for (const bad of [
      '',
      'nope',
      '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
    ]) {
      expect(parseTraceparent(bad)).toBeUndefined()
    }
    expect(parseTraceparent(undefined)).toBeUndefined()
  })

  it('continues a trace with a new span, or starts one', () => {
    const child = childTraceContext(header)
    expect(child.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    expect(child.spanId).not.toBe('00f067aa0ba902b7')
    expect(child.spanId).toMatch(/^[0-9a-f]{16}$/)
    const fresh = childTraceContext('garbage')
    expect(fresh.traceId).toMatch(/^[0-9a-f]{32}$/)
    expect(parseTraceparent(formatTraceparent(fresh))).toEqual(fresh)
    expect(traceLogFields(child)).toEqual({ trace_id: child.traceId, span_id: child.spanId })
  })

  it('never repeats an id across refills of its random pool', () => {
    // 4 KiB of random bytes per refill: 2,000 new traces use several refills.
    const ids = Array.from({ length: 2_000 }, () => childTraceContext())
    expect(new Set(ids.map((c) => c.traceId)).size).toBe(ids.length)
    expect(new Set(ids.map((c) => c.spanId)).size).toBe(ids.length)
    for (const c of ids.slice(-5)) {
      expect(c.traceId).toMatch(/^[0-9a-f]{32}$/)
      expect(c.spanId).toMatch(/^[0-9a-f]{16}$/)
    }
  })
})
