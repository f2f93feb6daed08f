import { describeProviderRoundTrips } from '@psa/agent-runtime/testing/providers'
import { demoDataLoaded, demoUser, NORTHWIND_ORGANISATION_ID } from '@psa/demo-data'
import { priceQuote } from '@psa/pricing'
import { openTestDatabase, testUser } from '@psa/test-kit'
import { afterAll, beforeAll, expect } from 'vitest'
import { quotesAgent } from './agent.js'

// The quotes agent with a real provider (OpenAI, Anthropic, Bedrock wire formats) playing a scripted model
// on loopback: its tools are offered as that provider wants them and run for real on the demo data.
const db = openTestDatabase()
let loaded = false
beforeAll(async () => {
  loaded = await demoDataLoaded(db.sql)
})
afterAll(() => db.sql.end())

const acme = () =>
  db.asService((tx) =>
    tx
      .selectFrom('clients')
      .select(['id', 'default_rate_card_id'])
      .where('name', '=', 'Acme Retail Group')
      .executeTakeFirstOrThrow(),
  )

interface Line {
  role: string
  likely_hours: number
  optimistic_hours: number
  pessimistic_hours: number
  cost_rate_minor: number
  bill_rate_minor: number
}

describeProviderRoundTrips({
  agent: quotesAgent,
  user: () => testUser(demoUser('admin@northwind.example'), NORTHWIND_ORGANISATION_ID, 'admin'),
  ready: () => loaded,
  cases: [
    {
      title: "price_quote prices 200h senior dev + 80h design at Acme's card, 30% margin, 5% discount",
      request: 'Price 200h senior dev + 80h design for Acme at 30% margin, client rate card, 5% discount',
      call: async () => ({
        name: 'price_quote',
        input: {
          client_id: (await acme()).id,
          rate_card: 'client',
          target_margin_pct: 30,
          discount_pct: 5,
          lines: [
            { role: 'Senior Developer', hours: 200 },
            { role: 'Designer', hours: 80 },
          ],
        },
      }),
      async expectOutput(output) {
        const client = await acme()
        expect(output.rate_card).toMatchObject({ id: client.default_rate_card_id, kind: 'client' })
        const lines = output.lines as Line[]
        expect(lines.map((l) => [l.role, l.likely_hours])).toEqual([
          ['Senior Developer', 200],
          ['Designer', 80],
        ])
        const costs = await db.asService((tx) =>
          tx
            .selectFrom('roles')
            .select(['name', 'cost_rate_minor'])
            .where('organisation_id', '=', NORTHWIND_ORGANISATION_ID)
            .where('name', 'in', ['Senior Developer', 'Designer'])
            .execute(),
        )
        for (const line of lines) {
          expect(line.cost_rate_minor).toBe(Number(costs.find((c) => c.name === line.role)?.cost_rate_minor))
          expect(line.bill_rate_minor).toBeGreaterThan(line.cost_rate_minor)
        }
        const expected = priceQuote(
          lines.map((l) => ({
            optimisticHours: l.optimistic_hours,
            likelyHours: l.likely_hours,
            pessimisticHours: l.pessimistic_hours,
            costRateMinor: l.cost_rate_minor,
            billRateMinor: l.bill_rate_minor,
          })),
          { contingencyPct: 0, discountPct: 5, targetMarginPct: 30 },
        )
        expect(output.totals).toMatchObject({
          cost_minor: expected.costMinor,
          price_minor: expected.priceMinor,
          margin_pct: expected.marginPct,
          p80_price_minor: expected.p80PriceMinor,
        })
      },
    },
  ],
  badInput: { name: 'price_quote', input: { lines: 'two hundred hours of senior dev' }, field: 'lines' },
})
