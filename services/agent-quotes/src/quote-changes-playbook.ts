import { callTools, finish, lastCall, type PlaybookDecision, type PlaybookInput } from '@psa/agent-models'
import { proposalNote } from '@psa/agent-runtime'
import { lineInput, terms } from './pricing-terms.js'
import { roleQuestion } from './role-question.js'

/**
 * Work on an existing quote under the offline model: a new version with a diff, an approval request (the agent
 * asks who approves and never approves itself) and converting an accepted quote into a project.
 */

/** The quote the request is about: the one selected in the UI, else the named client's latest. */
function whichQuote(input: PlaybookInput): { quote_id: string } | { client_id: string } | PlaybookDecision {
  const u = input.understanding
  const selected = input.context.quoteId ?? (input.rawContext.quote_id as string | undefined)
  if (typeof selected === 'string') return { quote_id: selected }
  const reference = u.quoteReferences.find((r) => r.id)
  if (reference?.id) return { quote_id: reference.id }
  const client = u.summary.client
  if (client && client.alternatives.length > 0) {
    return finish(
      `Which client's quote: ${[client.name, ...client.alternatives.map((a) => a.name)].join(' or ')}? I made no changes.`,
    )
  }
  const clientId = client?.id ?? input.context.clientId
  if (clientId) return { client_id: clientId }
  return finish(
    'Which quote? Name the client (e.g. "the Acme quote") or open the quote and ask again. I made no changes.',
  )
}

function isDecision(value: object): value is PlaybookDecision {
  return 'type' in value
}

const REMOVE = /\b(?:remove|drop|delete|take out|without)\s+(?:the\s+)?(?:[\w\s-]{0,30}?)$/i

export function revise(input: PlaybookInput): PlaybookDecision {
  const u = input.understanding
  const call = lastCall(input.steps, 'revise_quote')
  if (call) {
    if (call.status !== 'success') return finish(`I could not revise the quote: ${call.text}`)
    const out = call.output as {
      summary: string
      version: number
      previous_version: number
      diff: {
        lines: { role: string; hours_before: number; hours_after: number }[]
        price_before_minor: number
        price_after_minor: number
      }
    }
    const lines = out.diff.lines.map((l) => `${l.role} ${l.hours_before} → ${l.hours_after} h`).join(', ')
    return finish(
      `${out.summary}. Against v${out.previous_version}: ${lines || 'same lines'}; price ${out.diff.price_before_minor} → ${out.diff.price_after_minor} (minor units). ${proposalNote(call.output)}`,
      { result: call.output },
    )
  }
  const quote = whichQuote(input)
  if (isDecision(quote)) return quote
  const lines = u.hours.filter((h) => h.per === null)
  const unknown = lines.filter((l) => !l.role?.knownRole)
  if (unknown.length > 0) return finish(roleQuestion(unknown, input.context))
  // "remove QA", "drop the designer": roles named after a removal verb with no hours.
  const removed = u.roles.filter(
    (r) =>
      r.knownRole && !lines.some((l) => l.role === r) && REMOVE.test(input.request.slice(0, r.span.start)),
  )
  const changes = {
    ...(lines.length > 0 && { set_lines: lines.map(lineInput) }),
    ...(removed.length > 0 && { remove_roles: removed.map((r) => r.knownRole as string) }),
    ...terms(input),
  }
  if (Object.keys(changes).length === 0) {
    return finish(
      'I understood you want a new version of the quote, but not what to change. Say e.g. "drop design to 60h", "add a 5% discount" or "raise the margin to 35%". I made no changes.',
    )
  }
  return callTools('I will propose the next version of the quote with these changes and show the diff.', {
    name: 'revise_quote',
    input: { ...quote, ...changes },
  })
}

export function approval(input: PlaybookInput): PlaybookDecision {
  const call = lastCall(input.steps, 'request_quote_approval')
  if (call) {
    if (call.status !== 'success') return finish(`I could not request approval: ${call.text}`)
    return finish(
      `${(call.output as { summary: string }).summary}. I never approve quotes myself. ${proposalNote(call.output)}`,
      {
        result: call.output,
      },
    )
  }
  const quote = whichQuote(input)
  if (isDecision(quote)) return quote
  const role = /\bowners?\b/i.test(input.request)
    ? 'owner'
    : /\badmin(?:istrator)?s?\b/i.test(input.request)
      ? 'admin'
      : null
  if (!role) {
    return finish(
      'Who should approve it: an admin or an owner? Tell me and I will propose sending it for approval (I never approve quotes myself). I made no changes.',
    )
  }
  return callTools(`I will propose sending the quote to an ${role} for approval.`, {
    name: 'request_quote_approval',
    input: { ...quote, approver_role: role },
  })
}

export function convert(input: PlaybookInput): PlaybookDecision {
  const u = input.understanding
  const call = lastCall(input.steps, 'convert_quote_to_project')
  if (call) {
    if (call.status !== 'success') return finish(`I could not convert the quote: ${call.text}`)
    return finish(`${(call.output as { summary: string }).summary}. ${proposalNote(call.output)}`, {
      result: call.output,
    })
  }
  const quote = whichQuote(input)
  if (isDecision(quote)) return quote
  return callTools(
    'I will propose a project with a delivery phase and resource requests from the accepted quote.',
    {
      name: 'convert_quote_to_project',
      input: {
        ...quote,
        ...(u.summary.startDate && { starts_on: u.summary.startDate }),
        ...(u.summary.duration && { weeks: Math.max(1, Math.round(u.summary.duration.weeks)) }),
      },
    },
  )
}
