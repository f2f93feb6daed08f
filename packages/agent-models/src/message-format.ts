import { type RequestContext, requestContextSchema } from './context.js'

/**
 * The user message the agent runtime sends for a request: the request text as the user wrote it, then a
 * fenced block with the agent type and the structured context as JSON. Real LLMs read it as-is; the
 * offline model parses it back with `parseUserMessage`.
 *
 *     Plan a 12-week website rebuild for Acme starting 5 Jan, budget $150k
 *
 *     <request-context>
 *     {"agentType":"project_management","context":{"today":"2026-11-25","clients":[{"id":"c1","name":"Acme Corp"}]}}
 *     </request-context>
 */

export const CONTEXT_OPEN = '<request-context>'
export const CONTEXT_CLOSE = '</request-context>'

export interface UserMessageInput {
  request: string
  context?: Record<string, unknown> | null
  /** Which agent handles the request; selects the offline model's playbook. */
  agentType?: string | null
}

export function formatUserMessage(input: UserMessageInput): string {
  const envelope = { agentType: input.agentType ?? null, context: input.context ?? {} }
  // JSON.stringify never emits a raw newline inside a string, so the closing tag cannot appear in the body.
  // Compact: indentation was a third of the demo firm's context (12.9 kB pretty, 8.9 compact), in an LLM's
  // tokens and in every copy, trace and token estimate the SDK makes of the message each turn.
  return `${input.request.trim()}\n\n${CONTEXT_OPEN}\n${JSON.stringify(envelope)}\n${CONTEXT_CLOSE}`
}

export interface ParsedUserMessage {
  request: string
  agentType: string | null
  /** The context's well-known keys, validated; invalid ones are dropped and listed in `problems`. */
  context: RequestContext
  /** The context exactly as sent, for keys the schema does not know. */
  rawContext: Record<string, unknown>
  problems: string[]
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Validates a context, dropping (and reporting) top-level keys that do not fit the schema. */
export function parseRequestContext(raw: unknown): { context: RequestContext; problems: string[] } {
  if (raw === undefined || raw === null) return { context: {}, problems: [] }
  if (!isRecord(raw))
    return { context: {}, problems: ['The request context is not a JSON object; I ignored it.'] }
  const candidate: Record<string, unknown> = { ...raw }
  const problems: string[] = []
  for (let attempt = 0; attempt < 20; attempt++) {
    const result = requestContextSchema.safeParse(candidate)
    if (result.success) return { context: result.data, problems }
    const keys = [...new Set(result.error.issues.map((issue) => String(issue.path[0] ?? '')))]
    for (const key of keys) {
      const issue = result.error.issues.find((i) => String(i.path[0] ?? '') === key)
      problems.push(`Context field "${key}" is invalid (${issue?.message ?? 'bad value'}); I ignored it.`)
      delete candidate[key]
    }
  }
  return { context: {}, problems: [...problems, 'The request context could not be read; I ignored it.'] }
}

export function parseUserMessage(text: string): ParsedUserMessage {
  const trimmed = text.trimEnd()
  const open = trimmed.lastIndexOf(`\n${CONTEXT_OPEN}\n`)
  const hasBlock =
    trimmed.endsWith(`\n${CONTEXT_CLOSE}`) && (open >= 0 || trimmed.startsWith(`${CONTEXT_OPEN}\n`))
  if (!hasBlock) return { request: text.trim(), agentType: null, context: {}, rawContext: {}, problems: [] }
  const bodyStart = open >= 0 ? open + CONTEXT_OPEN.length + 2 : CONTEXT_OPEN.length + 1
  const body = trimmed.slice(bodyStart, trimmed.length - CONTEXT_CLOSE.length - 1)
  const request = open >= 0 ? trimmed.slice(0, open).trim() : ''
  let envelope: unknown
  try {
    envelope = JSON.parse(body)
  } catch {
    return {
      request,
      agentType: null,
      context: {},
      rawContext: {},
      problems: ['The request context is not valid JSON; I ignored it.'],
    }
  }
  if (!isRecord(envelope)) {
    return {
      request,
      agentType: null,
      context: {},
      rawContext: {},
      problems: ['The request context is not a JSON object; I ignored it.'],
    }
  }
  const agentType = typeof envelope.agentType === 'string' ? envelope.agentType : null
  const rawContext = isRecord(envelope.context) ? envelope.context : {}
  const { context, problems } = parseRequestContext(envelope.context)
  return { request, agentType, context, rawContext, problems }
}
