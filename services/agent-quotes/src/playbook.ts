import {
  callTools,
  finish,
  formatMoney,
  lastCall,
  type Playbook,
  type PlaybookDecision,
  type PlaybookInput,
} from '@psa/agent-models'
import { proposalNote } from '@psa/agent-runtime'
import { lineInput, terms } from './pricing-terms.js'
import { approval, convert, revise } from './quote-changes-playbook.js'
import { roleQuestion } from './role-question.js'

interface PricedJson {
  currency: string
  client: { id: string; name: string } | null
  rate_card: { name: string; kind: string } | null
  lines: { role: string; expected_hours: number; bill_rate_minor: number }[]
  target_margin_pct: number | null
  totals: {
    expected_hours: number
    cost_minor: number
    list_price_minor: number
    price_minor: number
    margin_pct: number
    p50_price_minor: number
    p80_price_minor: number
    p90_price_minor?: number
    price_for_target_margin_minor: number | null
    meets_target_margin: boolean | null
  }
  notes: string[]
  needs_approval?: boolean
  margin_floor?: { pct: number; below: boolean; max_discount_pct: number } | null
  fixed_fee?: { price_minor: number; risk_premium_minor: number } | null
  retainer?: {
    months: number
    monthly_hours: number
    monthly_price_minor: number
    total_price_minor: number
  } | null
  proposal_id?: string
  quote_id?: string
  title?: string
}

function extras(out: PricedJson, money: (amountMinor: number) => string): string {
  const parts: string[] = []
  if (out.fixed_fee)
    parts.push(
      `Fixed fee ${money(out.fixed_fee.price_minor)} (P80, a ${money(out.fixed_fee.risk_premium_minor)} risk premium for the estimate spread).`,
    )
  if (out.retainer)
    parts.push(
      `Retainer: ${out.retainer.monthly_hours} h a month at ${money(out.retainer.monthly_price_minor)} a month for ${out.retainer.months} months, ${money(out.retainer.total_price_minor)} in all.`,
    )
  if (out.margin_floor?.below) parts.push(`This is below the ${out.margin_floor.pct}% margin floor.`)
  if (out.needs_approval)
    parts.push(
      'The margin is below target, so the quote needs approval (tell me who approves: an admin or an owner).',
    )
  return parts.length > 0 ? ` ${parts.join(' ')}` : ''
}

function describe(out: PricedJson): string {
  const money = (amountMinor: number) => formatMoney({ amountMinor, currency: out.currency })
  const t = out.totals
  const lines = out.lines
    .map((l) => `${l.expected_hours} h ${l.role} at ${money(l.bill_rate_minor)}/h`)
    .join(', ')
  const target =
    out.target_margin_pct === null
      ? ''
      : t.meets_target_margin
        ? ` That meets the ${out.target_margin_pct}% target margin.`
        : ` That is below the ${out.target_margin_pct}% target margin: the price would need to be at least ${money(t.price_for_target_margin_minor ?? 0)}.`
  const card = out.rate_card
    ? `${out.rate_card.name} (${out.rate_card.kind} rate card)`
    : 'the roles’ own rates'
  return `Priced at ${card}: ${lines}. Cost ${money(t.cost_minor)}, list ${money(t.list_price_minor)}, price ${money(t.price_minor)}, margin ${t.margin_pct}%.${target} Risk-adjusted: P50 ${money(t.p50_price_minor)}, P80 ${money(t.p80_price_minor)}${t.p90_price_minor ? `, P90 ${money(t.p90_price_minor)}` : ''}.${extras(out, money)}${out.notes.length > 0 ? ` Note: ${out.notes.join(' ')}` : ''}`
}

function totalsResult(out: PricedJson) {
  return {
    currency: out.currency,
    cost_minor: out.totals.cost_minor,
    price_minor: out.totals.price_minor,
    margin_pct: out.totals.margin_pct,
    p50_price_minor: out.totals.p50_price_minor,
    p80_price_minor: out.totals.p80_price_minor,
    meets_target_margin: out.totals.meets_target_margin,
  }
}

/** A question about the price ("how much would ... cost?") is answered with a price, not a draft quote. */
const PRICE_ONLY = /\b(?:how much|what (?:would|will|does|did)|price check|ballpark|roughly)\b/i

function quote(input: PlaybookInput): PlaybookDecision {
  const { understanding: u, context, steps } = input
  const proposed = lastCall(steps, 'propose_quote')
  if (proposed) {
    if (proposed.status !== 'success') return finish(`I could not prepare the quote: ${proposed.text}`)
    const out = proposed.output as unknown as PricedJson
    return finish(
      `I proposed a draft quote "${out.title}" (version 1) for ${out.client?.name}. ${describe(out)} ${proposalNote(proposed.output)}`,
      {
        result: {
          proposal_id: out.proposal_id ?? null,
          quote_id: out.quote_id ?? null,
          version: 1,
          ...totalsResult(out),
        },
      },
    )
  }
  const priced = lastCall(steps, 'price_quote')
  if (priced) {
    if (priced.status !== 'success') return finish(`I could not price it: ${priced.text}`)
    const out = priced.output as unknown as PricedJson
    return finish(`${describe(out)} Name the client and I will prepare it as a draft quote.`, {
      result: totalsResult(out),
    })
  }

  // A retainer is priced per month: "40 hours a month of DevOps for 6 months".
  const retainer = u.flags.billingModel === 'retainer'
  const lines = u.hours.filter((h) => h.per === null || (retainer && h.per === 'month'))
  if (lines.length === 0) {
    return finish(
      'Tell me what to price: roles and hours, for example "Quote 200h senior dev + 80h design at 30% margin, client rate card, 5% discount". I made no changes.',
    )
  }
  const unknownRoles = lines.filter((l) => !l.role?.knownRole)
  if (unknownRoles.length > 0) return finish(roleQuestion(unknownRoles, context))
  const client = u.summary.client
  if (client && client.alternatives.length > 0) {
    return finish(
      `Which client is the quote for: ${[client.name, ...client.alternatives.map((a) => a.name)].join(' or ')}? I made no changes.`,
    )
  }
  const clientId = client?.id ?? context.clientId ?? null
  const rateCard = u.flags.standardRateCard ? 'standard' : u.flags.clientRateCard ? 'client' : undefined
  const pricing = {
    lines: lines.map(lineInput),
    ...(rateCard && { rate_card: rateCard }),
    ...terms(input),
  }
  const what = lines.map((l) => `${l.hours} h ${l.role?.knownRole}`).join(' + ')
  if (!clientId || PRICE_ONLY.test(input.request)) {
    return callTools(
      `No client was named, so I will price ${what}${rateCard === 'client' ? ' (the client rate card needs a client: the standard card applies)' : ''} without creating a quote.`,
      { name: 'price_quote', input: { ...pricing, ...(clientId && { client_id: clientId }) } },
    )
  }
  const project = u.summary.project
  const title = `${client?.name ?? 'Client'}: ${u.subject?.text && !/^\d/.test(u.subject.text) ? u.subject.text : what}`
  return callTools(
    `I will price ${what} for ${client?.name ?? 'the client'} and propose it as a draft quote.`,
    {
      name: 'propose_quote',
      input: {
        ...pricing,
        client_id: clientId,
        title: title.slice(0, 200),
        ...(project?.id && { project_id: project.id }),
      },
    },
  )
}

/**
 * The quotes agent under the offline model: "Quote 200h senior dev + 80h design at 30% margin, client rate
 * card, 5% discount" (with a client named, or in the context, it proposes a draft quote; without, it prices).
 */
export const quotesPlaybook: Playbook = (input) => {
  const u = input.understanding
  switch (u.intent) {
    case 'quote':
      return quote(input)
    case 'revise_quote':
      return revise(input)
    case 'convert_quote':
      return convert(input)
    case 'request_approval':
      return approval(input)
    case null:
      if (u.hours.length > 0) return quote(input)
      return finish(
        'I price and draft quotes, for example "Quote 200h senior dev + 80h design for Acme at 30% margin, client rate card, 5% discount", but I could not tell what to quote. I made no changes.',
      )
    default: {
      const owner = u.agentType ? u.agentType.replaceAll('_', ' ') : 'another'
      return finish(
        `This is a ${u.intent.replaceAll('_', ' ')} request, which the ${owner} agent handles; I price and draft quotes. I made no changes.`,
      )
    }
  }
}
