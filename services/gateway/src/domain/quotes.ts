import { sql, type Tx } from '@psa/db'
import { AppError } from '@psa/errors'
import { priceQuote } from '@psa/pricing'
import { z } from 'zod'
import { dateSchema, decimalSchema, moneySchema, timestampSchema, uuidSchema } from '../schemas/common.js'
import { decodeCursor, pageOf } from './cursor.js'
import { likePattern } from './projects.js'

export const QUOTE_STATUSES = [
  'draft',
  'pending_approval',
  'approved',
  'sent',
  'accepted',
  'rejected',
  'expired',
] as const

export interface QuoteListFilter {
  organisationId: string
  status?: (typeof QUOTE_STATUSES)[number] | undefined
  clientId?: string | undefined
  q?: string | undefined
  pageSize: number
  pageToken?: string | undefined
}

// (created_at as Postgres prints it, id): the exact text keeps microseconds a JS Date would drop.
const quoteCursor = z.tuple([z.string().min(10).max(40), z.uuid()])

function quoteColumns(tx: Tx) {
  return tx
    .selectFrom('quotes as q')
    .innerJoin('clients as c', (j) =>
      j.onRef('c.id', '=', 'q.client_id').onRef('c.organisation_id', '=', 'q.organisation_id'),
    )
    .leftJoin('quote_versions as v', (j) =>
      j
        .onRef('v.quote_id', '=', 'q.id')
        .onRef('v.organisation_id', '=', 'q.organisation_id')
        .onRef('v.version_number', '=', 'q.current_version'),
    )
    .select([
      'q.id',
      'q.organisation_id',
      'q.title',
      'q.status',
      'q.project_id',
      'q.current_version',
      'q.valid_until',
      'q.approved_by',
      'q.approved_at',
      'q.version',
      'q.created_at',
      'q.updated_at',
      'c.id as client_id',
      'c.name as client_name',
      'v.currency',
      'v.pricing_model',
      'v.price_minor',
      'v.cost_minor',
      'v.margin_pct',
    ])
    .select(sql<string>`q.created_at::text`.as('created_cursor'))
}

type QuoteRow = Awaited<ReturnType<ReturnType<typeof quoteColumns>['executeTakeFirstOrThrow']>>

function toQuoteJson(q: QuoteRow): z.infer<typeof quoteSchema> {
  return {
    id: q.id,
    organisation_id: q.organisation_id,
    title: q.title,
    status: q.status,
    client: { id: q.client_id, name: q.client_name },
    project_id: q.project_id,
    current_version: q.current_version,
    valid_until: q.valid_until,
    approved_by: q.approved_by,
    approved_at: q.approved_at ? q.approved_at.toISOString() : null,
    currency: q.currency,
    pricing_model: q.pricing_model,
    price_minor: q.price_minor,
    cost_minor: q.cost_minor,
    margin_pct: q.margin_pct,
    version: q.version,
    created_at: q.created_at.toISOString(),
    updated_at: q.updated_at.toISOString(),
  }
}

export async function listQuotes(
  tx: Tx,
  f: QuoteListFilter,
): Promise<{ quotes: z.infer<typeof quoteSchema>[]; next_page_token: string | null }> {
  const after = decodeCursor(f.pageToken, quoteCursor)
  const rows = await quoteColumns(tx)
    .where('q.organisation_id', '=', f.organisationId)
    .$if(f.status !== undefined, (b) => b.where('q.status', '=', f.status as (typeof QUOTE_STATUSES)[number]))
    .$if(f.clientId !== undefined, (b) => b.where('q.client_id', '=', f.clientId as string))
    .$if(Boolean(f.q), (b) => b.where('q.title', 'ilike', likePattern(f.q as string)))
    .$if(after !== undefined, (b) =>
      b.where(
        sql<boolean>`(q.created_at, q.id) < (${after?.[0] as string}::text::timestamptz, ${after?.[1] as string}::uuid)`,
      ),
    )
    .orderBy('q.created_at', 'desc')
    .orderBy('q.id', 'desc')
    .limit(f.pageSize + 1)
    .execute()
  const page = pageOf(rows, f.pageSize, (r) => [r.created_cursor, r.id])
  return { quotes: page.items.map(toQuoteJson), next_page_token: page.next_page_token }
}

/** A quote with every version (newest first) and each version's lines. */
export async function getQuote(tx: Tx, quoteId: string): Promise<z.infer<typeof quoteDetailSchema>> {
  const quote = await quoteColumns(tx).where('q.id', '=', quoteId).executeTakeFirst()
  if (!quote) throw new AppError('NOT_FOUND', 'Quote not found', { details: { quote_id: quoteId } })
  const versions = await tx
    .selectFrom('quote_versions')
    .select([
      'id',
      'version_number',
      'pricing_model',
      'rate_card_id',
      'currency',
      'contingency_pct',
      'target_margin_pct',
      'discount_pct',
      'cost_minor',
      'price_minor',
      'margin_pct',
      'p50_price_minor',
      'p80_price_minor',
      'notes',
      'created_by',
      'created_at',
    ])
    .where('organisation_id', '=', quote.organisation_id)
    .where('quote_id', '=', quoteId)
    .orderBy('version_number', 'desc')
    .execute()
  const lines =
    versions.length === 0
      ? []
      : await tx
          .selectFrom('quote_lines as l')
          .innerJoin('roles as r', (j) =>
            j.onRef('r.id', '=', 'l.role_id').onRef('r.organisation_id', '=', 'l.organisation_id'),
          )
          .select([
            'l.id',
            'l.quote_version_id',
            'l.role_id',
            'r.name as role_name',
            'l.description',
            'l.optimistic_hours',
            'l.likely_hours',
            'l.pessimistic_hours',
            'l.cost_rate_minor',
            'l.bill_rate_minor',
            'l.sort_order',
          ])
          .where('l.organisation_id', '=', quote.organisation_id)
          .where(
            'l.quote_version_id',
            'in',
            versions.map((v) => v.id),
          )
          .orderBy('l.sort_order')
          .orderBy('l.id')
          .execute()
  return {
    ...toQuoteJson(quote),
    versions: versions.map((v) => {
      const own = lines.filter((l) => l.quote_version_id === v.id)
      const totals = priceQuote(
        own.map((l) => ({
          optimisticHours: Number(l.optimistic_hours),
          likelyHours: Number(l.likely_hours),
          pessimisticHours: Number(l.pessimistic_hours),
          costRateMinor: Number(l.cost_rate_minor),
          billRateMinor: Number(l.bill_rate_minor),
        })),
        { contingencyPct: Number(v.contingency_pct), discountPct: Number(v.discount_pct) },
      )
      return {
        ...v,
        created_at: v.created_at.toISOString(),
        // Stored with the version when it was priced; P90 is not stored, so it is priced from the lines.
        p90_price_minor: String(totals.p90PriceMinor),
        expected_hours: totals.expectedHours.toFixed(2),
        lines: own.map(({ quote_version_id: _v, role_name, ...l }, i) => ({
          ...l,
          role: { id: l.role_id, name: role_name },
          expected_hours: (totals.lines[i]?.expectedHours ?? 0).toFixed(2),
          line_cost_minor: String(totals.lines[i]?.costMinor ?? 0),
          line_list_minor: String(totals.lines[i]?.listMinor ?? 0),
        })),
      }
    }),
  }
}

// The JSON shapes these queries answer (the routes declare them as response schemas).

export const pricingModel = z.enum(['time_and_materials', 'fixed_fee', 'retainer'])

export const quoteSchema = z
  .object({
    id: uuidSchema,
    organisation_id: uuidSchema,
    title: z.string(),
    status: z.enum(QUOTE_STATUSES),
    client: z.object({ id: uuidSchema, name: z.string() }),
    project_id: uuidSchema.nullable(),
    current_version: z.number().int(),
    valid_until: dateSchema.nullable(),
    approved_by: uuidSchema.nullable(),
    approved_at: timestampSchema.nullable(),
    currency: z.string().nullable().describe('Of the current version'),
    pricing_model: pricingModel.nullable(),
    price_minor: moneySchema.nullable(),
    cost_minor: moneySchema.nullable(),
    margin_pct: decimalSchema.nullable(),
    version: z.number().int(),
    created_at: timestampSchema,
    updated_at: timestampSchema,
  })
  .meta({ id: 'Quote' })

export const quoteDetailSchema = quoteSchema
  .extend({
    versions: z.array(
      z.object({
        id: uuidSchema,
        version_number: z.number().int(),
        pricing_model: pricingModel,
        rate_card_id: uuidSchema.nullable(),
        currency: z.string(),
        contingency_pct: decimalSchema,
        target_margin_pct: decimalSchema,
        discount_pct: decimalSchema,
        cost_minor: moneySchema,
        price_minor: moneySchema,
        margin_pct: decimalSchema.nullable(),
        p50_price_minor: moneySchema.nullable(),
        p80_price_minor: moneySchema.nullable(),
        p90_price_minor: moneySchema.describe('Priced from the lines (PERT, normal approximation)'),
        expected_hours: decimalSchema.describe('PERT expected hours of all lines'),
        notes: z.string().nullable(),
        created_by: uuidSchema.nullable(),
        created_at: timestampSchema,
        lines: z.array(
          z.object({
            id: uuidSchema,
            role_id: uuidSchema,
            role: z.object({ id: uuidSchema, name: z.string() }),
            description: z.string().nullable(),
            optimistic_hours: decimalSchema,
            likely_hours: decimalSchema,
            pessimistic_hours: decimalSchema,
            cost_rate_minor: moneySchema,
            bill_rate_minor: moneySchema,
            sort_order: z.number().int(),
            expected_hours: decimalSchema.describe('(o + 4m + p) / 6'),
            line_cost_minor: moneySchema.describe('Expected hours at the cost rate'),
            line_list_minor: moneySchema.describe('Expected hours at the bill rate, before terms'),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'QuoteDetail' })
