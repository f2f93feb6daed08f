import { randomBytes } from 'node:crypto'

/** A W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/), version 00. */
export interface TraceContext {
  traceId: string
  spanId: string
  sampled: boolean
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const ALL_ZERO = /^0+$/

/** Parses a `traceparent` header; undefined for anything malformed (which the spec says to ignore). */
export function parseTraceparent(header: string | undefined | null): TraceContext | undefined {
  const match = header ? TRACEPARENT.exec(header.trim().toLowerCase()) : null
  if (!match) return undefined
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string]
  if (ALL_ZERO.test(traceId) || ALL_ZERO.test(spanId)) return undefined
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 }
}

export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.sampled ? '01' : '00'}`
}

/**
 * The context for work done here on behalf of `parent`: same trace, a new span id. Without a parent (or
 * with a malformed one) a new trace starts.
 */
export function childTraceContext(parent?: TraceContext | string | null): TraceContext {
  const base = typeof parent === 'string' || parent == null ? parseTraceparent(parent) : parent
  return {
    traceId: base?.traceId ?? randomHex(16),
    spanId: randomHex(8),
    sampled: base?.sampled ?? true,
  }
}

// Ids come from a pool of random bytes refilled a few KiB at a time, as crypto.randomUUID does: one
// randomBytes call per id is a system call per request on the hot path.
const POOL_BYTES = 4096
let pool = Buffer.alloc(0)
let poolOffset = 0

function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES)
    poolOffset = 0
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes)
  poolOffset += bytes
  return hex
}

/** The log fields every line written within a traced operation carries. */
export function traceLogFields(context: TraceContext): { trace_id: string; span_id: string } {
  return { trace_id: context.traceId, span_id: context.spanId }
}
