// fastify-type-provider-zod documents every registered zod schema twice, as `X` (what the gateway sends)
// and `XInput` (what it accepts), because zod's input and output JSON schemas can differ (defaults,
// transforms). Most of ours do not, and the twins doubled the generated web types; only the twins whose
// TypeScript differs are kept. zod marks output objects `additionalProperties: false` and leaves input
// objects open, which openapi-typescript turns into the same type, so that difference alone does not count.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const INPUT_SUFFIX = 'Input'
const REF_PREFIX = '#/components/schemas/'

/**
 * Rewrites every `$ref` to a schema in `renamed` to its new name; `typeOnly` also drops what does not change
 * the generated TypeScript (a closed object's `additionalProperties: false`).
 */
function withRefs(value: Json, renamed: ReadonlyMap<string, string>, typeOnly = false): Json {
  if (Array.isArray(value)) return value.map((v) => withRefs(v, renamed, typeOnly))
  if (value === null || typeof value !== 'object') return value
  const out: { [key: string]: Json } = {}
  for (const [key, child] of Object.entries(value)) {
    if (typeOnly && key === 'additionalProperties' && child === false) continue
    if (key === '$ref' && typeof child === 'string' && child.startsWith(REF_PREFIX)) {
      const target = renamed.get(child.slice(REF_PREFIX.length))
      out[key] = target ? REF_PREFIX + target : child
    } else out[key] = withRefs(child, renamed, typeOnly)
  }
  return out
}

/**
 * The document with each `XInput` component that equals its `X` twin removed and its references pointed at
 * `X`. Equality is decided as a greatest fixed point (assume every twin equal, drop those that differ once
 * the others are merged, repeat), so twins that refer to each other, even recursively, merge together.
 */
export function mergeIdenticalIoSchemas<T extends object>(document: T): T {
  const schemas = (document as { components?: { schemas?: Record<string, Json> } }).components?.schemas
  if (!schemas) return document
  const merged = new Map<string, string>()
  for (const name of Object.keys(schemas)) {
    const base = name.slice(0, -INPUT_SUFFIX.length)
    if (name.endsWith(INPUT_SUFFIX) && base in schemas) merged.set(name, base)
  }
  const same = (input: string, base: string) =>
    JSON.stringify(withRefs(schemas[input] ?? null, merged, true)) ===
    JSON.stringify(withRefs(schemas[base] ?? null, merged, true))
  for (let changed = true; changed; ) {
    changed = false
    for (const [input, base] of merged) {
      if (same(input, base)) continue
      merged.delete(input)
      changed = true
    }
  }
  const rewritten = withRefs(document as unknown as Json, merged) as unknown as T
  const out = (rewritten as { components: { schemas: Record<string, Json> } }).components.schemas
  for (const input of merged.keys()) delete out[input]
  return rewritten
}
