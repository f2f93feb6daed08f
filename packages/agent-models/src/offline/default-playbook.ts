import { describeIntent } from '../understanding/describe.js'
import { finish, type Playbook } from './playbook.js'

/**
 * Used when no playbook is registered for the request's agent: it acts on nothing, and says so. The model
 * has already streamed what it understood and what it did not.
 */
export const defaultPlaybook: Playbook = ({ agentType, understanding, tools }) => {
  const agent = agentType ? `the ${agentType.replaceAll('_', ' ')} agent` : 'this agent'
  const wanted = understanding.intent ? `to ${describeIntent(understanding.intent)}` : 'anything'
  const toolList = tools.length > 0 ? ` It has these tools: ${tools.map((t) => t.name).join(', ')}.` : ''
  return finish(
    `I could not act on this: the offline model has no playbook for ${agent}, so I made no changes instead of guessing how ${wanted}.${toolList} Register a playbook for it, or configure a language model provider.`,
    {
      result: {
        acted: false,
        intent: understanding.intent,
        agentType: understanding.agentType,
        missing: understanding.missing.map((m) => m.field),
        notUnderstood: understanding.unparsed.map((u) => u.text),
      },
    },
  )
}
