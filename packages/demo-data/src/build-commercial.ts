import type { IsoDate } from '@psa/calendar'
import type { PeopleIndex } from './build-people.js'
import type { OrganisationCatalogue } from './catalogue.js'
import type { OrgContext } from './context.js'
import type { ClientRow, RateCardLineRow, RateCardRow } from './types.js'

export interface CommercialIndex {
  clients: Map<string, ClientRow>
  standardRateCard: RateCardRow
  /** Client-specific rate cards by client key. */
  clientRateCards: Map<string, RateCardRow>
  /** The bill rate of a role on a rate card on a date; falls back to the standard card, then the role. */
  billRate(rateCardId: string | null, roleId: string, on: IsoDate): number
}

function roundTo(value: number, step: number): number {
  return Math.round(value / step) * step
}

/** A practice's own clients, on the firm's standard rate card. */
export function practiceCommercial(
  ctx: OrgContext,
  catalogue: OrganisationCatalogue,
  firm: CommercialIndex,
): CommercialIndex {
  return { ...firm, clients: addClients(ctx, catalogue), clientRateCards: new Map() }
}

function addClients(ctx: OrgContext, catalogue: OrganisationCatalogue): Map<string, ClientRow> {
  const clients = new Map<string, ClientRow>()
  for (const spec of catalogue.clients) {
    const client: ClientRow = {
      id: ctx.id(`client/${spec.key}`),
      organisation_id: ctx.orgId,
      name: spec.name,
      industry: spec.industry,
      default_rate_card_id: null,
    }
    ctx.tables.clients.push(client)
    clients.set(spec.key, client)
  }
  return clients
}

export function buildCommercial(
  ctx: OrgContext,
  catalogue: OrganisationCatalogue,
  people: PeopleIndex,
): CommercialIndex {
  const { tables } = ctx
  const clients = addClients(ctx, catalogue)

  const year = Number(ctx.anchor.slice(0, 4))
  const lastYear = `${year - 1}-01-01`
  const thisYear = `${year}-01-01`
  const endOfLastYear = `${year - 1}-12-31`
  const currency = ctx.organisation.currency

  const standardRateCard: RateCardRow = {
    id: ctx.id('rate-card/standard'),
    organisation_id: ctx.orgId,
    name: catalogue.standardRateCardName,
    client_id: null,
    currency,
    is_default: true,
  }
  tables.rate_cards.push(standardRateCard)
  const lines: RateCardLineRow[] = []
  for (const role of catalogue.roles) {
    const roleRow = people.roles.get(role.key)
    if (!roleRow) throw new Error(`unknown role ${role.key}`)
    // The rate change in the past: last year's rates ended on 31 December, this year's are higher.
    lines.push({
      id: ctx.id(`rate-card-line/standard/${role.key}/previous`),
      organisation_id: ctx.orgId,
      rate_card_id: standardRateCard.id,
      role_id: roleRow.id,
      bill_rate_minor: roundTo(role.billRate / catalogue.standardRateIncrease, 500),
      effective_from: lastYear,
      effective_to: endOfLastYear,
    })
    lines.push({
      id: ctx.id(`rate-card-line/standard/${role.key}/current`),
      organisation_id: ctx.orgId,
      rate_card_id: standardRateCard.id,
      role_id: roleRow.id,
      bill_rate_minor: role.billRate,
      effective_from: thisYear,
      effective_to: null,
    })
  }

  const clientRateCards = new Map<string, RateCardRow>()
  for (const spec of catalogue.clientRateCards) {
    const client = clients.get(spec.client)
    if (!client) throw new Error(`rate card for unknown client ${spec.client}`)
    const card: RateCardRow = {
      id: ctx.id(`rate-card/${spec.client}`),
      organisation_id: ctx.orgId,
      name: spec.name,
      client_id: client.id,
      currency,
      is_default: false,
    }
    tables.rate_cards.push(card)
    clientRateCards.set(spec.client, card)
    client.default_rate_card_id = card.id
    for (const role of catalogue.roles) {
      if (spec.roles && !spec.roles.includes(role.key)) continue
      const roleRow = people.roles.get(role.key)
      if (!roleRow) throw new Error(`unknown role ${role.key}`)
      lines.push({
        id: ctx.id(`rate-card-line/${spec.client}/${role.key}`),
        organisation_id: ctx.orgId,
        rate_card_id: card.id,
        role_id: roleRow.id,
        bill_rate_minor: roundTo(role.billRate * spec.factor, 500),
        effective_from: lastYear,
        effective_to: null,
      })
    }
  }
  tables.rate_card_lines.push(...lines)

  const byCard = new Map<string, RateCardLineRow[]>()
  for (const line of lines) {
    const list = byCard.get(`${line.rate_card_id}/${line.role_id}`) ?? []
    list.push(line)
    byCard.set(`${line.rate_card_id}/${line.role_id}`, list)
  }
  const lookup = (cardId: string, roleId: string, on: IsoDate): number | undefined =>
    byCard
      .get(`${cardId}/${roleId}`)
      ?.find((l) => l.effective_from <= on && (l.effective_to === null || on <= l.effective_to))
      ?.bill_rate_minor
  const roleRates = new Map([...people.roles.values()].map((r) => [r.id, r.bill_rate_minor]))

  return {
    clients,
    standardRateCard,
    clientRateCards,
    billRate(rateCardId, roleId, on) {
      const rate =
        (rateCardId ? lookup(rateCardId, roleId, on) : undefined) ??
        lookup(standardRateCard.id, roleId, on) ??
        roleRates.get(roleId)
      if (rate === undefined) throw new Error(`no bill rate for role ${roleId}`)
      return rate
    },
  }
}
