import type { JSONValue, Message } from '@strands-agents/sdk'

/**
 * A final answer may carry a structured result after its prose, as its own text block:
 *
 *     <result>
 *     {"projectId": "p1", ...}
 *     </result>
 *
 * The runtime stores the parsed JSON as the session's result. An LLM provider can be told to answer in the
 * same shape through the system prompt.
 */
export const RESULT_OPEN = '<result>'
export const RESULT_CLOSE = '</result>'

export function formatResultBlock(result: JSONValue): string {
  return `${RESULT_OPEN}\n${JSON.stringify(result, null, 2)}\n${RESULT_CLOSE}`
}

const RESULT_PATTERN = /<result>\s*([\s\S]*?)\s*<\/result>\s*$/

/** The structured result at the end of a final answer (a string or the assistant message); undefined if none. */
export function extractResult(answer: string | Message): JSONValue | undefined {
  const text =
    typeof answer === 'string'
      ? answer
      : answer.content
          .filter((b) => b.type === 'textBlock')
          .map((b) => b.text)
          .join('\n')
  const match = RESULT_PATTERN.exec(text)
  if (!match) return undefined
  try {
    return JSON.parse(match[1] ?? '') as JSONValue
  } catch {
    return undefined
  }
}

/** The prose of a final answer without its result block. */
export function answerText(answer: string | Message): string {
  const text =
    typeof answer === 'string'
      ? answer
      : answer.content
          .filter((b) => b.type === 'textBlock')
          .map((b) => b.text)
          .join('\n')
  return text.replace(RESULT_PATTERN, '').trimEnd()
}
