/** Limits that keep single events small enough for NATS (1 MiB messages) and readable in a browser. */
export const MAX_TOOL_INPUT_CHARS = 16_000
export const MAX_TOOL_OUTPUT_CHARS = 32_000
export const MAX_SUMMARY_CHARS = 500

export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text
  return `${text.slice(0, Math.max(0, max - 1))}…`
}

/**
 * A JSON value no larger than `maxChars` when serialised: returned as-is when it fits, otherwise replaced by
 * a marker object carrying a prefix of its JSON, so a huge tool result cannot blow up an event.
 */
export function boundedJson(value: unknown, maxChars: number): unknown {
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch {
    return { truncated: true, note: 'value is not JSON-serialisable' }
  }
  if (json === undefined) return null
  if (json.length <= maxChars) return JSON.parse(json) as unknown
  // The preview is itself escaped when the event is serialised (quotes double up): size it by that.
  const budget = Math.max(0, maxChars - 200)
  let preview = json.slice(0, budget)
  while (JSON.stringify(preview).length > budget) {
    preview = preview.slice(0, Math.floor((preview.length * budget) / JSON.stringify(preview).length) - 1)
  }
  return { truncated: true, original_chars: json.length, preview }
}

/** Like boundedJson, for values that must stay JSON objects (tool inputs). */
export function boundedObject(value: unknown, maxChars: number): Record<string, unknown> {
  const bounded = boundedJson(value, maxChars)
  if (bounded && typeof bounded === 'object' && !Array.isArray(bounded))
    return bounded as Record<string, unknown>
  return { value: bounded }
}
