/**
 * Limits on an AgentRequest's structured `context`, the same for every caller (REST and direct gRPC).
 * Depth matters as much as size: a 6 KB body nested 1,500 levels deep is small, but the Struct codec,
 * Postgres jsonb (its stack depth limit) and every recursive walk of it fail on such a value, so it is refused
 * as input instead of surfacing later as an internal error.
 */
export const MAX_CONTEXT_DEPTH = 32
/** The largest context accepted, measured as JSON. */
export const MAX_CONTEXT_BYTES = 64 * 1024

/**
 * Whether a JSON value nests objects and arrays deeper than `maxDepth` (the value itself is level 1).
 * Iterative, so it never overflows the stack on the values it exists to refuse.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 1]]
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number]
    if (item === null || typeof item !== 'object') continue
    if (depth > maxDepth) return true
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1])
  }
  return false
}
