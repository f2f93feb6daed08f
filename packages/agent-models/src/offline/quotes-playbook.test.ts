import { Agent, tool } from '@strands-agents/sdk'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { formatUserMessage } from '../message-format.js'
import { OfflineModel } from './offline-model.js'
import { callTools, finish, type Playbook } from './playbook.js'
import { answerText, extractResult } from './result-block.js'

// Example playbook for the quotes agent: several tool calls in one turn (one rate lookup per role), then
// one pricing call with all the results, then the answer.

const RATES: Record<string, { costMinor: number; billMinor: number }> = {
  'Senior Developer': { costMinor: 9_000, billMinor: 16_000 },
  Designer: { costMinor: 7_000, billMinor: 12_000 },
}
const CLIENT_RATES: Record<string, { costMinor: number; billMinor: number }> = {
  'Senior Developer': { costMinor: 9_000, billMinor: 15_000 },
  Designer: { costMinor: 7_000, billMinor: 11_500 },
}

const rateFor = tool({
  name: 'rate_for_role',
  description: 'Cost and bill rate (minor units per hour) for a role',
  inputSchema: z.object({ role: z.string(), rateCard: z.enum(['standard', 'client']) }),
  callback: async ({ role, rateCard }) => {
    // Finish in reverse order of the calls, to show the results still line up with the calls.
    await new Promise((resolve) => setTimeout(resolve, role === 'Designer' ? 1 : 15))
    const rate = (rateCard === 'client' ? CLIENT_RATES : RATES)[role]
    if (!rate) throw new Error(`no rate for ${role}`)
    return { role, ...rate }
  },
})

const priceQuote = tool({
  name: 'price_quote',
  description: 'Price quote lines at a target margin with a discount',
  inputSchema: z.object({
    lines: z.array(
      z.object({ role: z.string(), hours: z.number().positive(), costMinor: z.int(), billMinor: z.int() }),
    ),
    discountPercent: z.number().min(0).max(100),
  }),
  callback: ({ lines, discountPercent }) => {
    const cost = lines.reduce((sum, l) => sum + l.hours * l.costMinor, 0)
    const list = lines.reduce((sum, l) => sum + l.hours * l.billMinor, 0)
    const price = Math.round((list * (100 - discountPercent)) / 100)
    return {
      costMinor: cost,
      listMinor: list,
      priceMinor: price,
      marginPercent: Math.round(((price - cost) / price) * 1000) / 10,
    }
  },
})

const quotesPlaybook: Playbook = ({ understanding, steps }) => {
  const lines = understanding.hours.filter((h) => h.role?.knownRole)
  if (lines.length === 0) return finish('I need hours for roles I know before I can quote.')
  const rateCard = understanding.flags.clientRateCard ? 'client' : 'standard'
  if (steps.length === 0) {
    return callTools(
      `Looking up the ${rateCard} rate for each of the ${lines.length} roles.`,
      lines.map((l) => ({ name: 'rate_for_role', input: { role: l.role?.knownRole ?? '', rateCard } })),
    )
  }
  if (steps.length === 1) {
    const rates = steps[0]?.calls ?? []
    const failed = rates.find((c) => c.status !== 'success')
    if (failed)
      return finish(`I could not price ${String((failed.input as { role: string }).role)}: ${failed.text}`)
    return callTools(
      `Pricing ${understanding.summary.totalHours} hours with a ${understanding.summary.discount ?? 0}% discount.`,
      {
        name: 'price_quote',
        input: {
          lines: lines.map((l, i) => {
            const rate = rates[i]?.output as { costMinor: number; billMinor: number }
            return { role: l.role?.knownRole ?? '', hours: l.hours, ...rate }
          }),
          discountPercent: understanding.summary.discount ?? 0,
        },
      },
    )
  }
  const priced = steps[1]?.calls[0]?.output as { priceMinor: number; marginPercent: number }
  const target = understanding.summary.margin
  const verdict =
    target === null
      ? ''
      : priced.marginPercent >= target
        ? ` That meets the ${target}% target.`
        : ` That is below the ${target}% target.`
  return finish(`Quoted at ${priced.priceMinor / 100} with a ${priced.marginPercent}% margin.${verdict}`, {
    result: priced,
  })
}

const CONTEXT = { roles: ['Senior Developer', 'Designer'], clientId: 'c-acme' }

async function quote(request: string) {
  const agent = new Agent({
    model: new OfflineModel({ playbooks: { quotes: quotesPlaybook } }),
    tools: [rateFor, priceQuote],
    printer: false,
  })
  const result = await agent.invoke(formatUserMessage({ request, agentType: 'quotes', context: CONTEXT }))
  return { agent, result }
}

describe('example quotes playbook', () => {
  it('prices the documented quote request: parallel rate lookups, then pricing', async () => {
    const { agent, result } = await quote(
      'Quote 200h senior dev + 80h design at 30% margin, client rate card, 5% discount',
    )
    const toolTurns = agent.messages.filter(
      (m) => m.role === 'assistant' && m.content.some((b) => b.type === 'toolUseBlock'),
    )
    expect(toolTurns.map((m) => m.content.filter((b) => b.type === 'toolUseBlock').length)).toEqual([2, 1])
    // cost 200*90 + 80*70 = 23,600; list 200*150 + 80*115 = 39,200; -5% = 37,240
    expect(extractResult(result.lastMessage)).toEqual({
      costMinor: 2_360_000,
      listMinor: 3_920_000,
      priceMinor: 3_724_000,
      marginPercent: 36.6,
    })
    expect(answerText(result.lastMessage)).toBe(
      'Quoted at 37240 with a 36.6% margin. That meets the 30% target.',
    )
  })

  it('uses the standard rate card unless the client one is asked for', async () => {
    const { result } = await quote('Quote 200h senior dev + 80h design at 30% margin')
    expect(extractResult(result.lastMessage)).toMatchObject({ listMinor: 4_160_000 })
  })

  it('is deterministic although the tools finish out of order', async () => {
    const first = await quote('Quote 200h senior dev + 80h design, client rate card, 5% discount')
    const second = await quote('Quote 200h senior dev + 80h design, client rate card, 5% discount')
    // Messages carry a random trackingId (SDK 1.19.0); everything else must match.
    const content = (agent: Agent) =>
      JSON.stringify(agent.messages.map((m) => ({ role: m.role, content: m.content })))
    expect(content(second.agent)).toBe(content(first.agent))
    expect(content(first.agent)).toContain(
      '"toolUseId":"offline-0-1","status":"success","content":[{"json":{"role":"Designer"',
    )
  })
})
