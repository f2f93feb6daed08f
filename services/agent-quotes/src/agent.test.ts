import { type AgentHarness, startAgentHarness } from '@psa/agent-runtime/testing'
import { applyProposal, revertProposal } from '@psa/changesets'
import { demoDataLoaded, demoUser, NORTHWIND_ORGANISATION_ID } from '@psa/demo-data'
import { priceQuote } from '@psa/pricing'
import { type TenantUser, testUser } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quotesAgent } from './agent.js'
import { quotesPlaybook } from './playbook.js'

// End to end through the runtime with the offline model, on the demo data (Northwind): Acme Retail Group and
// Blue Harbor Bank have their own rate cards; the standard card's rates changed on 1 January.
let h: AgentHarness
let admin: TenantUser
let demoLoaded = false

beforeAll(async () => {
  h = await startAgentHarness({ agent: quotesAgent, playbook: quotesPlaybook })
  demoLoaded = await demoDataLoaded(h.db.sql)
  admin = testUser(demoUser('admin@northwind.example'), NORTHWIND_ORGANISATION_ID)
})

afterAll(async () => {
  await h?.stop()
})

/** The bill rate of `role` on the card in effect today, straight from the database. */
async function cardRate(cardId: string, role: string, today: string): Promise<number> {
  const row = await h.db.asService((tx) =>
    tx
      .selectFrom('rate_card_lines as l')
      .innerJoin('roles as r', 'r.id', 'l.role_id')
      .select('l.bill_rate_minor')
      .where('l.rate_card_id', '=', cardId)
      .where('r.name', '=', role)
      .where('r.organisation_id', '=', NORTHWIND_ORGANISATION_ID)
      .where('l.effective_from', '<=', today)
      .where((eb) => eb.or([eb('l.effective_to', 'is', null), eb('l.effective_to', '>=', today)]))
      .executeTakeFirstOrThrow(),
  )
  return Number(row.bill_rate_minor)
}

async function roleCost(role: string): Promise<number> {
  const row = await h.db.asService((tx) =>
    tx
      .selectFrom('roles')
      .select('cost_rate_minor')
      .where('name', '=', role)
      .where('organisation_id', '=', NORTHWIND_ORGANISATION_ID)
      .executeTakeFirstOrThrow(),
  )
  return Number(row.cost_rate_minor)
}

describe('quotes agent', () => {
  it('drafts "200h senior dev + 80h design for Acme at 30% margin, client rate card, 5% discount" as an applicable quote', async (context) => {
    if (!demoLoaded) context.skip()
    const { session, events } = await h.run(
      admin,
      'Quote 200h senior dev + 80h design for Acme at 30% margin, client rate card, 5% discount',
    )
    expect(session.status).toBe('completed')
    const started = events.find((e) => e.type === 'tool_call_started')?.data as {
      name: string
      input: Record<string, unknown>
    }
    expect(started).toMatchObject({
      name: 'propose_quote',
      input: {
        rate_card: 'client',
        target_margin_pct: 30,
        discount_pct: 5,
        lines: [
          { role: 'Senior Developer', hours: 200 },
          { role: 'Designer', hours: 80 },
        ],
      },
    })
    const acme = await h.db.asService((tx) =>
      tx
        .selectFrom('clients')
        .select(['id', 'default_rate_card_id'])
        .where('name', '=', 'Acme Retail Group')
        .executeTakeFirstOrThrow(),
    )
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(session.queued_at)
    const seniorRate = await cardRate(acme.default_rate_card_id as string, 'Senior Developer', today)
    const designRate = await cardRate(acme.default_rate_card_id as string, 'Designer', today)
    const expected = priceQuote(
      [
        {
          optimisticHours: 170,
          likelyHours: 200,
          pessimisticHours: 230,
          costRateMinor: await roleCost('Senior Developer'),
          billRateMinor: seniorRate,
        },
        {
          optimisticHours: 68,
          likelyHours: 80,
          pessimisticHours: 92,
          costRateMinor: await roleCost('Designer'),
          billRateMinor: designRate,
        },
      ],
      { contingencyPct: 0, discountPct: 5, targetMarginPct: 30 },
    )
    const result = session.result as Record<string, unknown>
    expect(result).toMatchObject({
      version: 1,
      currency: 'USD',
      cost_minor: expected.costMinor,
      price_minor: expected.priceMinor,
      margin_pct: expected.marginPct,
      p50_price_minor: expected.p50PriceMinor,
      p80_price_minor: expected.p80PriceMinor,
      meets_target_margin: expected.meetsTarget,
    })
    expect(result.summary).toContain('client rate card')

    const proposals = await h.db.asService((tx) =>
      tx.selectFrom('proposals').selectAll().where('session_id', '=', session.id).execute(),
    )
    expect(proposals).toHaveLength(1)
    const proposal = proposals[0] as (typeof proposals)[number]
    const applied = await applyProposal(h.db, admin.claims, proposal.id)
    expect(applied.status).toBe('applied')
    try {
      const version = await h.db.asUser(admin.claims, (tx) =>
        tx
          .selectFrom('quote_versions as v')
          .innerJoin('quotes as q', 'q.id', 'v.quote_id')
          .select([
            'q.status',
            'q.current_version',
            'v.version_number',
            'v.price_minor',
            'v.p80_price_minor',
            'v.rate_card_id',
            'v.discount_pct',
          ])
          .where('q.id', '=', result.quote_id as string)
          .executeTakeFirstOrThrow(),
      )
      expect(version).toMatchObject({
        status: 'draft',
        current_version: 1,
        version_number: 1,
        price_minor: String(expected.priceMinor),
        p80_price_minor: String(expected.p80PriceMinor),
        rate_card_id: acme.default_rate_card_id,
        discount_pct: '5.00',
      })
      const lines = await h.db.asUser(admin.claims, (tx) =>
        tx
          .selectFrom('quote_lines')
          .select(['bill_rate_minor', 'likely_hours', 'sort_order'])
          .where('organisation_id', '=', NORTHWIND_ORGANISATION_ID)
          .where(
            'quote_version_id',
            '=',
            (proposal.changeset as { operations: { values: { id: string } }[] }).operations[1]?.values
              .id as string,
          )
          .orderBy('sort_order')
          .execute(),
      )
      expect(lines).toEqual([
        { bill_rate_minor: String(seniorRate), likely_hours: '200.00', sort_order: 1 },
        { bill_rate_minor: String(designRate), likely_hours: '80.00', sort_order: 2 },
      ])
    } finally {
      await revertProposal(h.db, admin.claims, proposal.id)
    }
  })

  it('prices the DESIGN phrasing without a client at the standard card, says so, and proposes nothing', async (context) => {
    if (!demoLoaded) context.skip()
    const { session, events } = await h.run(
      admin,
      'Quote 200h senior dev + 80h design at 30% margin, client rate card, 5% discount',
    )
    expect(events.find((e) => e.type === 'tool_call_started')?.data).toMatchObject({ name: 'price_quote' })
    const result = session.result as { summary: string; price_minor: number }
    expect(result.summary).toContain('No client was named, so I used the standard rate card.')
    expect(result.summary).toContain('Name the client and I will prepare it as a draft quote.')
    expect(result.price_minor).toBeGreaterThan(0)
    expect(
      await h.db.asService((tx) =>
        tx.selectFrom('proposals').select('id').where('session_id', '=', session.id).execute(),
      ),
    ).toEqual([])
  })

  it('uses the client in the structured context and that client’s own rate card', async (context) => {
    if (!demoLoaded) context.skip()
    const bank = await h.db.asService((tx) =>
      tx
        .selectFrom('clients')
        .select(['id', 'default_rate_card_id'])
        .where('name', '=', 'Blue Harbor Bank')
        .executeTakeFirstOrThrow(),
    )
    const { session } = await h.run(admin, 'Quote 120h senior dev with 10% contingency', {
      client_id: bank.id,
    })
    const result = session.result as { quote_id: string; price_minor: number }
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(session.queued_at)
    const rate = await cardRate(bank.default_rate_card_id as string, 'Senior Developer', today)
    expect(result.price_minor).toBe(Math.round(120 * rate * 1.1))
    const [proposal] = await h.db.asService((tx) =>
      tx.selectFrom('proposals').select('changeset').where('session_id', '=', session.id).execute(),
    )
    if (!proposal) throw new Error('no proposal')
    const versionOp = (
      proposal.changeset as { operations: { table: string; values: Record<string, unknown> }[] }
    ).operations.find((o) => o.table === 'quote_versions')
    expect(versionOp?.values).toMatchObject({
      rate_card_id: bank.default_rate_card_id,
      contingency_pct: 10,
      created_by: admin.id,
    })
  })

  it('says what it could not price instead of guessing', async (context) => {
    if (!demoLoaded) context.skip()
    const nothing = await h.run(admin, 'Quote the Acme thing')
    expect((nothing.session.result as { summary: string }).summary).toContain('Tell me what to price')
    const approve = await h.run(admin, 'Approve the Acme quote')
    expect((approve.session.result as { summary: string }).summary).toContain('I never approve quotes myself')
    const convert = await h.run(admin, 'Convert the won Acme quote into a project')
    expect((convert.session.result as { summary: string }).summary).toContain('only an accepted quote')
    const sessions = [nothing.session.id, approve.session.id, convert.session.id]
    expect(
      await h.db.asService((tx) =>
        tx.selectFrom('proposals').select('id').where('session_id', 'in', sessions).execute(),
      ),
    ).toEqual([])
  })

  it('proposes the next version of an existing quote with a diff ("Revise the Acme quote: drop design to 60h")', async (context) => {
    if (!demoLoaded) context.skip()
    const { session } = await h.run(admin, 'Revise the Acme quote: drop design to 60h')
    expect(session.status).toBe('completed')
    const result = session.result as {
      version: number
      previous_version: number
      proposal_id: string
      diff: { lines: { role: string; hours_after: number }[] }
    }
    expect(result.version).toBe(result.previous_version + 1)
    expect(result.diff.lines).toEqual([expect.objectContaining({ role: 'Designer', hours_after: 60 })])
    const applied = await applyProposal(h.db, admin.claims, result.proposal_id)
    expect(applied.status).toBe('applied')
    await revertProposal(h.db, admin.claims, result.proposal_id)
  })
})
