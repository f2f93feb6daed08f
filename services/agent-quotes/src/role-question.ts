import { type HoursLine, possibleRoles, type RequestContext } from '@psa/agent-models'

function either(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`
}

/**
 * What to ask about effort lines whose role is not one of the organisation's: which of its roles a general
 * word means ("backend 120h" at a firm with Junior, Senior and Lead Developers), or, when no role was read
 * at all, the roles there are to choose from.
 */
export function roleQuestion(lines: readonly HoursLine[], context: RequestContext): string {
  const questions = lines.map((line) => {
    const options = line.role ? possibleRoles(line.role, context) : []
    return options.length > 1
      ? `Which role is "${line.span.text}" (${line.role?.span.text}) for: ${either(options)}?`
      : null
  })
  const unread = lines.filter((_, i) => questions[i] === null)
  const roles = context.roles?.length ? ` The organisation's roles are: ${context.roles.join(', ')}.` : ''
  return [
    ...questions.filter((q) => q !== null),
    ...(unread.length > 0
      ? [
          `I could not tell which role to price for ${unread.map((l) => `"${l.span.text}"`).join(', ')}.${roles}`,
        ]
      : []),
    'I made no changes.',
  ].join(' ')
}
