import { addDays, timestamp } from '@psa/calendar'
import type { CommercialIndex } from './build-commercial.js'
import type { PeopleIndex } from './build-people.js'
import type { ProjectIndex } from './build-projects.js'
import type { OrganisationCatalogue, QuoteLineSpec, QuoteSpec } from './catalogue.js'
import { DEMO_USERS } from './constants.js'
import type { OrgContext } from './context.js'
import { quoteTotals } from './pricing.js'
import type { QuoteLineRow, QuoteRow, QuoteVersionRow } from './types.js'

export interface QuoteIndex {
  quotes: Map<string, QuoteRow>
  versions: Map<string, QuoteVersionRow[]>
  /** The current price of each accepted quote, by the code of the project it became. */
  acceptedPrices: Map<string, number>
}

function roundTo(value: number, step: number): number {
  return Math.round(value / step) * step
}

function userId(email: string): string {
  const user = DEMO_USERS.find((u) => u.email === email)
  if (!user) throw new Error(`unknown demo user ${email}`)
  return user.id
}

/** Three-point estimates from the team of the project a quote is for. */
function linesFromTeam(spec: QuoteSpec, projects: ProjectIndex, factor: number): QuoteLineSpec[] {
  const slots = projects.slots.filter((s) => s.spec.code === spec.project)
  if (slots.length === 0) throw new Error(`quote ${spec.key}: project ${spec.project} has no team`)
  return slots.map((s) => {
    const likely = Math.max(8, roundTo(s.slot.hours * (s.toWeek - s.fromWeek + 1) * factor, 4))
    const description =
      s.slot.note ?? `${s.role.name}, weeks ${s.fromWeek - s.spec.start + 1}-${s.toWeek - s.spec.start + 1}`
    return [s.slot.role, description, roundTo(likely * 0.85, 4), likely, roundTo(likely * 1.35, 4)]
  })
}

const APPROVED: ReadonlySet<string> = new Set(['approved', 'sent', 'accepted', 'rejected', 'expired'])

export function buildQuotes(
  ctx: OrgContext,
  catalogue: OrganisationCatalogue,
  people: PeopleIndex,
  commercial: CommercialIndex,
  projects: ProjectIndex,
): QuoteIndex {
  const index: QuoteIndex = { quotes: new Map(), versions: new Map(), acceptedPrices: new Map() }
  for (const spec of catalogue.quotes) {
    const client = commercial.clients.get(spec.client)
    if (!client) throw new Error(`quote ${spec.key}: unknown client ${spec.client}`)
    const createdOn = ctx.day(-spec.createdDaysAgo)
    const rateCard =
      (spec.clientRateCard && commercial.clientRateCards.get(spec.client)) || commercial.standardRateCard
    const quoteId = ctx.id(`quote/${spec.key}`)
    const versions: QuoteVersionRow[] = []
    spec.versions.forEach((v, n) => {
      const on = addDays(createdOn, v.day)
      const lineSpecs = v.lines ?? linesFromTeam(spec, projects, v.hoursFactor ?? 1)
      const versionId = ctx.id(`quote-version/${spec.key}/${n + 1}`)
      const lines: QuoteLineRow[] = lineSpecs.map(([roleKey, description, o, m, p], i) => {
        const role = people.roles.get(roleKey)
        if (!role) throw new Error(`quote ${spec.key}: unknown role ${roleKey}`)
        return {
          id: ctx.id(`quote-line/${spec.key}/${n + 1}/${i}`),
          organisation_id: ctx.orgId,
          quote_version_id: versionId,
          role_id: role.id,
          description,
          optimistic_hours: o,
          likely_hours: m,
          pessimistic_hours: p,
          cost_rate_minor: role.cost_rate_minor,
          bill_rate_minor: commercial.billRate(rateCard.id, role.id, on),
          sort_order: i + 1,
        }
      })
      const totals = quoteTotals(
        lines.map((l) => ({
          optimisticHours: l.optimistic_hours,
          likelyHours: l.likely_hours,
          pessimisticHours: l.pessimistic_hours,
          costRateMinor: l.cost_rate_minor,
          billRateMinor: l.bill_rate_minor,
        })),
        { contingencyPct: v.contingencyPct, discountPct: v.discountPct },
      )
      versions.push({
        id: versionId,
        organisation_id: ctx.orgId,
        quote_id: quoteId,
        version_number: n + 1,
        pricing_model: spec.pricingModel,
        rate_card_id: rateCard.id,
        currency: ctx.organisation.currency,
        contingency_pct: v.contingencyPct,
        target_margin_pct: v.targetMarginPct,
        discount_pct: v.discountPct,
        cost_minor: totals.costMinor,
        price_minor: totals.priceMinor,
        margin_pct: totals.marginPct,
        p50_price_minor: totals.p50PriceMinor,
        p80_price_minor: totals.p80PriceMinor,
        notes: v.notes,
        created_by: userId(spec.createdBy),
        created_at: timestamp(on, 10 + n, 15),
      })
      ctx.tables.quote_lines.push(...lines)
    })

    const last = spec.versions[spec.versions.length - 1]
    if (!last) throw new Error(`quote ${spec.key} has no versions`)
    const lastOn = addDays(createdOn, last.day)
    const validUntil = addDays(lastOn, spec.validForDays)
    const stillValid = validUntil >= ctx.anchor
    if (
      (spec.status === 'expired') === stillValid &&
      ['expired', 'sent', 'approved', 'draft', 'pending_approval'].includes(spec.status)
    ) {
      throw new Error(`quote ${spec.key}: valid_until ${validUntil} does not fit status ${spec.status}`)
    }
    const approved = APPROVED.has(spec.status)
    if (approved !== (spec.approvedBy !== undefined))
      throw new Error(`quote ${spec.key}: approver does not fit status`)
    const approvedOn = addDays(lastOn, 1)
    if (approved && approvedOn >= ctx.anchor) throw new Error(`quote ${spec.key}: approved in the future`)
    const project =
      spec.status === 'accepted' && spec.project ? projects.projects.get(spec.project) : undefined
    if (spec.status === 'accepted' && spec.project && !project)
      throw new Error(`quote ${spec.key}: unknown project`)
    const quote: QuoteRow = {
      id: quoteId,
      organisation_id: ctx.orgId,
      client_id: client.id,
      project_id: project?.id ?? null,
      title: spec.title,
      status: spec.status,
      current_version: versions.length,
      valid_until: validUntil,
      approved_by: spec.approvedBy ? userId(spec.approvedBy) : null,
      approved_at: approved ? timestamp(approvedOn, 9, 30) : null,
      created_at: timestamp(createdOn, 9, 45),
    }
    ctx.tables.quotes.push(quote)
    ctx.tables.quote_versions.push(...versions)
    index.quotes.set(spec.key, quote)
    index.versions.set(spec.key, versions)
    if (project && spec.project)
      index.acceptedPrices.set(spec.project, (versions[versions.length - 1] as QuoteVersionRow).price_minor)
  }
  return index
}
