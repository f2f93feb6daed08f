import { createHash } from 'node:crypto'

/**
 * A UUID derived from its inputs (SHA-256, laid out as an RFC 9562 version-8 UUID). Rows an agent proposes
 * to insert get ids from the session and what the row is, so a restarted attempt that plans the same thing
 * produces byte-identical changesets, and therefore the same proposal, instead of a near-duplicate.
 */
export function deterministicUuid(...parts: readonly string[]): string {
  const hash = createHash('sha256')
  for (const part of parts) {
    // Length-prefixed so ('ab', 'c') and ('a', 'bc') differ.
    hash.update(`${part.length}:${part}\u0000`)
  }
  const bytes = hash.digest().subarray(0, 16)
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80 // version 8
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80 // RFC 9562 variant
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** JSON with object keys sorted, so equal values hash equally whatever order they were built in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      )
    }
    return v
  })
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
