// Quoting the Wealth Dashboard (applied: the quote's first version is the one the agent drafted).

import { addProposalEvent, insertChangeset, money, plus, type Scenario } from './history.js'

export function quoteWealthDashboard({ b, h, tables, admin }: Scenario): void {
  const wealth = b.quotes.quotes.get('blue-harbor-wealth')
  const wealthVersions = b.quotes.versions.get('blue-harbor-wealth') ?? []
  if (wealth && wealthVersions[0]) {
    const v1 = wealthVersions[0]
    const lines = tables.quote_lines.filter((l) => l.quote_version_id === v1.id)
    const session = h.session({
      key: 'quote-wealth',
      user: admin,
      agentType: 'quotes',
      request:
        'Quote the Wealth Dashboard for Blue Harbor Bank from the tentative project plan: client rate card, 10% contingency, 5% discount, 30% target margin.',
      context: { client_id: wealth.client_id },
      status: 'completed',
      queuedAt: plus(wealth.created_at, -25 * 60_000),
      waitMs: 700,
      durationMs: 19_800,
      tokens: [12_040, 2_230],
      result: {
        summary: `Quote v1: price ${money(v1.price_minor)}, cost ${money(v1.cost_minor)}, margin ${v1.margin_pct}%, P80 ${money(v1.p80_price_minor)}.`,
        quote_id: wealth.id,
        version: 1,
        price_minor: v1.price_minor,
        cost_minor: v1.cost_minor,
        margin_pct: v1.margin_pct,
        p50_price_minor: v1.p50_price_minor,
        p80_price_minor: v1.p80_price_minor,
      },
      steps: [
        {
          at: 800,
          event: {
            type: 'tool_call_started',
            data: { tool_use_id: 'tool-1', name: 'get_rate_card', input: { client_id: wealth.client_id } },
          },
        },
        {
          at: 1_100,
          event: {
            type: 'tool_call_finished',
            data: {
              tool_use_id: 'tool-1',
              name: 'get_rate_card',
              ok: true,
              summary: 'Blue Harbor Bank master services agreement',
              output: { rate_card_id: v1.rate_card_id },
              duration_ms: 300,
            },
          },
        },
        {
          at: 5_200,
          event: {
            type: 'tool_call_started',
            data: {
              tool_use_id: 'tool-2',
              name: 'price_quote',
              input: {
                lines: lines.length,
                contingency_pct: v1.contingency_pct,
                discount_pct: v1.discount_pct,
              },
            },
          },
        },
        {
          at: 5_450,
          event: {
            type: 'tool_call_finished',
            data: {
              tool_use_id: 'tool-2',
              name: 'price_quote',
              ok: true,
              summary: `price ${money(v1.price_minor)}, margin ${v1.margin_pct}%`,
              output: { price_minor: v1.price_minor },
              duration_ms: 250,
            },
          },
        },
      ],
    })
    const { changeset, revert } = insertChangeset([
      ['quotes', { ...wealth, status: 'draft', current_version: 1, approved_by: null, approved_at: null }],
      ['quote_versions', v1],
      ...lines.map((l): [string, object] => ['quote_lines', l]),
    ])
    const proposal = h.proposal(session, 'quote-wealth', {
      title: 'Quote: Wealth Dashboard',
      summary: `Draft quote v1 at ${money(v1.price_minor)} (${v1.margin_pct}% margin).`,
      changeset,
      revert,
      status: 'applied',
      decidedBy: admin,
      decidedAfterMs: 240_000,
    })
    addProposalEvent(h, session, proposal, 19_300)
  }
}
