import { defineTool, type ToolResult } from '@psa/agent-runtime'
import { addDays, nextMonday } from '@psa/calendar'
import type { ChangesetOperation } from '@psa/changesets'
import type { Tx } from '@psa/db'
import { AppError } from '@psa/errors'
import { z } from 'zod'
import { describePrice } from './price-quote.js'
import { pricedQuoteJson, priceLines, quoteLineInput } from './pricing-data.js'
import { versionOperations } from './propose-quote.js'

const whichQuote = {
  quote_id: z.uuid().optional().describe('The quote; or give client_id for that client’s latest quote'),
  client_id: z.uuid().optional(),
}

interface CurrentQuote {
  id: string
  title: string
  status: string
  client_id: string
  project_id: string | null
  current_version: number
  version: number
  pricing_model: string
  contingency_pct: number
  target_margin_pct: number
  discount_pct: number
  price_minor: number
  margin_pct: number | null
  lines: {
    role: string
    optimistic: number
    likely: number
    pessimistic: number
    description: string | null
  }[]
}

/** The quote (checked to be in the session's organisation) with its current version and lines. */
async function loadQuote(
  tx: Tx,
  organisationId: string,
  input: { quote_id?: string | undefined; client_id?: string | undefined },
): Promise<CurrentQuote> {
  if (!input.quote_id && !input.client_id)
    throw new AppError('VALIDATION_FAILED', 'Give quote_id or client_id')
  const quote = await tx
    .selectFrom('quotes')
    .select(['id', 'title', 'status', 'client_id', 'project_id', 'current_version', 'version'])
    .where('organisation_id', '=', organisationId)
    .$if(Boolean(input.quote_id), (q) => q.where('id', '=', input.quote_id as string))
    .$if(!input.quote_id, (q) => q.where('client_id', '=', input.client_id as string))
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .executeTakeFirst()
  if (!quote) throw new AppError('NOT_FOUND', 'No such quote in this organisation')
  const version = await tx
    .selectFrom('quote_versions')
    .select([
      'id',
      'pricing_model',
      'contingency_pct',
      'target_margin_pct',
      'discount_pct',
      'price_minor',
      'margin_pct',
    ])
    .where('quote_id', '=', quote.id)
    .where('version_number', '=', quote.current_version)
    .executeTakeFirst()
  if (!version)
    throw new AppError('NOT_FOUND', `Quote "${quote.title}" has no version ${quote.current_version}`)
  const lines = await tx
    .selectFrom('quote_lines as l')
    .innerJoin('roles as r', 'r.id', 'l.role_id')
    .select([
      'r.name as role',
      'l.optimistic_hours',
      'l.likely_hours',
      'l.pessimistic_hours',
      'l.description',
    ])
    .where('l.quote_version_id', '=', version.id)
    .orderBy('l.sort_order')
    .execute()
  return {
    ...quote,
    pricing_model: version.pricing_model,
    contingency_pct: Number(version.contingency_pct),
    target_margin_pct: Number(version.target_margin_pct),
    discount_pct: Number(version.discount_pct),
    price_minor: Number(version.price_minor),
    margin_pct: version.margin_pct === null ? null : Number(version.margin_pct),
    lines: lines.map((l) => ({
      role: l.role,
      optimistic: Number(l.optimistic_hours),
      likely: Number(l.likely_hours),
      pessimistic: Number(l.pessimistic_hours),
      description: l.description,
    })),
  }
}

const expected = (l: { optimistic: number; likely: number; pessimistic: number }) =>
  Math.round(((l.optimistic + 4 * l.likely + l.pessimistic) / 6) * 100) / 100

export const reviseQuote = defineTool({
  name: 'revise_quote',
  description:
    'Propose the next version of an existing quote: change or add lines (role hours), remove roles, or change the margin target, discount, contingency, markup or pricing model; unchanged terms carry over. Returns the new totals and a diff against the previous version. Creates a proposal; nothing changes until a person applies it.',
  inputSchema: z.object({
    ...whichQuote,
    set_lines: z
      .array(quoteLineInput)
      .max(50)
      .optional()
      .describe('Lines whose role replaces the same role’s line, or is added'),
    remove_roles: z.array(z.string().trim().min(1).max(100)).max(20).optional(),
    target_margin_pct: z.number().min(0).max(99.99).optional(),
    discount_pct: z.number().min(0).max(100).optional(),
    contingency_pct: z.number().min(0).max(100).optional(),
    markup_pct: z.number().min(0).max(1000).optional(),
    margin_floor_pct: z.number().min(0).max(99.99).optional(),
    pricing_model: z.enum(['time_and_materials', 'fixed_fee', 'retainer']).optional(),
  }),
  run: async (input, ctx): Promise<ToolResult> => {
    const { quote, priced } = await ctx.asUser(async (tx) => {
      const quote = await loadQuote(tx, ctx.session.organisationId, input)
      const removed = new Set((input.remove_roles ?? []).map((r) => r.toLowerCase()))
      const replaced = new Set((input.set_lines ?? []).map((l) => (l.role ?? '').toLowerCase()))
      const kept = quote.lines
        .filter((l) => !removed.has(l.role.toLowerCase()) && !replaced.has(l.role.toLowerCase()))
        .map((l) => ({
          role: l.role,
          optimistic_hours: l.optimistic,
          likely_hours: l.likely,
          pessimistic_hours: l.pessimistic,
          ...(l.description && { description: l.description }),
        }))
      const lines = [...kept, ...(input.set_lines ?? [])]
      if (lines.length === 0)
        throw new AppError('VALIDATION_FAILED', 'The revision would leave the quote without lines')
      const priced = await priceLines(
        tx,
        {
          client_id: quote.client_id,
          lines,
          target_margin_pct: input.target_margin_pct ?? quote.target_margin_pct,
          discount_pct: input.discount_pct ?? quote.discount_pct,
          contingency_pct: input.contingency_pct ?? quote.contingency_pct,
          pricing_model: (input.pricing_model ?? quote.pricing_model) as 'time_and_materials',
          ...(input.markup_pct !== undefined && { markup_pct: input.markup_pct }),
          ...(input.margin_floor_pct !== undefined && { margin_floor_pct: input.margin_floor_pct }),
        },
        { today: ctx.session.today, currency: ctx.session.currency },
      )
      return { quote, priced }
    })
    if (priced.floor?.below) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Refused: the revision's margin ${priced.totals.marginPct}% is below the ${priced.floor.pct}% floor (at most ${priced.floor.maxDiscountPct}% discount keeps it).`,
      )
    }
    const next = quote.current_version + 1
    const versionId = ctx.id('quote-version', quote.id, String(next))
    const before = new Map(quote.lines.map((l) => [l.role, expected(l)]))
    const after = new Map(
      priced.lines.map((l, i) => [
        l.role,
        Math.round((priced.totals.lines[i]?.expectedHours ?? 0) * 100) / 100,
      ]),
    )
    const roles = [...new Set([...before.keys(), ...after.keys()])]
    const lineDiff = roles
      .map((role) => ({ role, hours_before: before.get(role) ?? 0, hours_after: after.get(role) ?? 0 }))
      .filter((d) => d.hours_before !== d.hours_after)
    const operations: ChangesetOperation[] = [
      ...versionOperations(ctx, priced, {
        quoteId: quote.id,
        versionId,
        versionNumber: next,
        pricingModel: input.pricing_model ?? quote.pricing_model,
        notes: undefined,
        lineKey: [quote.id],
      }),
      {
        op: 'update',
        table: 'quotes',
        id: quote.id,
        expected_version: quote.version,
        set: { current_version: next, status: 'draft' },
      },
    ]
    const diff = {
      lines: lineDiff,
      price_before_minor: quote.price_minor,
      price_after_minor: priced.totals.priceMinor,
      margin_before_pct: quote.margin_pct,
      margin_after_pct: priced.totals.marginPct,
      discount_before_pct: quote.discount_pct,
      discount_after_pct: priced.terms.discountPct,
    }
    const summary = `"${quote.title}" v${next}: ${describePrice(priced)}`
    const proposal = await ctx.propose({
      title: `Quote: ${quote.title} v${next}`,
      summary,
      changeset: { version: 1, operations },
    })
    return {
      summary,
      proposal_id: proposal.proposalId,
      quote_id: quote.id,
      title: quote.title,
      version: next,
      previous_version: quote.current_version,
      diff,
      ...pricedQuoteJson(priced),
    }
  },
})

export const requestQuoteApproval = defineTool({
  name: 'request_quote_approval',
  description:
    'Propose sending a quote for approval (status pending_approval) to an approver of the given role (admin or owner). It never approves anything itself. Creates a proposal.',
  inputSchema: z.object({
    ...whichQuote,
    approver_role: z
      .enum(['admin', 'owner'])
      .describe('Who must approve; ask the user when they did not say'),
    reason: z.string().max(500).optional(),
  }),
  run: async (input, ctx): Promise<ToolResult> => {
    const quote = await ctx.asUser((tx) => loadQuote(tx, ctx.session.organisationId, input))
    if (quote.status !== 'draft')
      throw new AppError(
        'VALIDATION_FAILED',
        `"${quote.title}" is ${quote.status}; only a draft goes for approval`,
      )
    const reason =
      input.reason ??
      (quote.margin_pct !== null && quote.margin_pct < quote.target_margin_pct
        ? `margin ${quote.margin_pct}% is below the ${quote.target_margin_pct}% target`
        : 'approval requested')
    const proposal = await ctx.propose({
      title: `Approval of "${quote.title}" v${quote.current_version} by an ${input.approver_role}`,
      summary: `Send "${quote.title}" for approval by an ${input.approver_role}: ${reason}.`,
      changeset: {
        version: 1,
        operations: [
          {
            op: 'update',
            table: 'quotes',
            id: quote.id,
            expected_version: quote.version,
            set: { status: 'pending_approval' },
          },
        ],
      },
    })
    return {
      summary: `Proposed sending "${quote.title}" to an ${input.approver_role} for approval (${reason})`,
      proposal_id: proposal.proposalId,
      quote_id: quote.id,
      approver_role: input.approver_role,
      reason,
    }
  },
})

export const convertQuote = defineTool({
  name: 'convert_quote_to_project',
  description:
    "Propose a project from an accepted quote: the project (budget = the quote's price), a delivery phase and one open resource request per quote line (hours spread over the weeks). Creates a proposal.",
  inputSchema: z.object({
    ...whichQuote,
    starts_on: z.iso.date().optional().describe('Default: the next Monday'),
    weeks: z
      .int()
      .min(1)
      .max(156)
      .optional()
      .describe('Default: long enough for the largest line at 32 h a week'),
  }),
  run: async (input, ctx): Promise<ToolResult> => {
    const quote = await ctx.asUser((tx) => loadQuote(tx, ctx.session.organisationId, input))
    if (!['accepted', 'approved'].includes(quote.status))
      throw new AppError(
        'VALIDATION_FAILED',
        `"${quote.title}" is ${quote.status}; only an accepted quote becomes a project`,
      )
    const roles = await ctx.asUser((tx) =>
      tx
        .selectFrom('roles')
        .select(['id', 'name'])
        .where('organisation_id', '=', ctx.session.organisationId)
        .execute(),
    )
    const startsOn = input.starts_on ?? nextMonday(ctx.session.today)
    const largest = Math.max(...quote.lines.map(expected))
    const weeks = input.weeks ?? Math.max(2, Math.ceil(largest / 32))
    const endsOn = addDays(startsOn, weeks * 7 - 3)
    const projectId = ctx.id('project-from-quote', quote.id)
    const phaseId = ctx.id('phase-from-quote', quote.id)
    const code = `Q-${quote.id.slice(0, 4).toUpperCase()}`
    const operations: ChangesetOperation[] = [
      {
        op: 'insert',
        table: 'projects',
        values: {
          id: projectId,
          client_id: quote.client_id,
          name: quote.title.replace(/^[^:]*:\s*/, '').slice(0, 120) || quote.title,
          code,
          status: 'active',
          billing_model: quote.pricing_model,
          budget_minor: quote.price_minor,
          currency: ctx.session.currency,
          starts_on: startsOn,
          ends_on: endsOn,
          health: 'green',
        },
      },
      {
        op: 'insert',
        table: 'phases',
        values: {
          id: phaseId,
          project_id: projectId,
          name: 'Delivery',
          sequence: 1,
          starts_on: startsOn,
          ends_on: endsOn,
        },
      },
      ...quote.lines.map((l, i): ChangesetOperation => {
        const role = roles.find((r) => r.name === l.role)
        return {
          op: 'insert',
          table: 'resource_requests',
          values: {
            id: ctx.id('request-from-quote', quote.id, String(i)),
            project_id: projectId,
            role_id: role?.id as string,
            hours_per_week: Math.min(999, Math.round((expected(l) / weeks) * 100) / 100),
            starts_on: startsOn,
            ends_on: endsOn,
            status: 'open',
            notes: `From quote "${quote.title}" v${quote.current_version}: ${expected(l)} h`,
          },
        }
      }),
      {
        op: 'update',
        table: 'quotes',
        id: quote.id,
        expected_version: quote.version,
        set: { project_id: projectId },
      },
    ]
    const proposal = await ctx.propose({
      title: `Project from quote "${quote.title}"`,
      summary: `${code}: ${weeks} weeks from ${startsOn}, budget ${quote.price_minor} minor units, ${quote.lines.length} resource request(s).`,
      changeset: { version: 1, operations },
    })
    return {
      summary: `Proposed project ${code} from "${quote.title}": ${weeks} weeks from ${startsOn}, ${quote.lines.length} resource request(s)`,
      proposal_id: proposal.proposalId,
      project_id: projectId,
      code,
      starts_on: startsOn,
      ends_on: endsOn,
      resource_requests: quote.lines.length,
      budget_minor: quote.price_minor,
    }
  },
})
