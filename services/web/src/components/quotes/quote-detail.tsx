'use client'

import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { useState } from 'react'
import { api } from '../../lib/api/browser'
import type { QuoteDetail, QuoteVersion } from '../../lib/api/types'
import { humanize } from '../../lib/format'
import { queries } from '../../lib/queries'
import { diffVersions } from '../../lib/quote-diff'
import { formatValue } from '../agents/result-view'
import { usePageAgentContext } from '../shell/agent-context'
import { useFormat } from '../shell/organisation'
import { Badge, StatusBadge } from '../ui/badge'
import { Card, Stat } from '../ui/card'
import { Select } from '../ui/field'
import { EmptyState, QueryState } from '../ui/states'
import uiStyles from '../ui/ui.module.css'

export function QuoteDetailView({ quoteId }: { quoteId: string }) {
  const query = useQuery(queries.quote(api, quoteId))
  return <QueryState query={query}>{(q) => <QuoteBody quote={q} />}</QueryState>
}

const APPROVAL: Record<string, string> = {
  draft: 'Draft: not yet sent for approval',
  pending_approval: 'Waiting for an admin to approve',
  approved: 'Approved',
  sent: 'Approved and sent to the client',
  accepted: 'Accepted by the client',
  rejected: 'Rejected',
  expired: 'Expired',
}

function QuoteBody({ quote: q }: { quote: QuoteDetail }) {
  const fmt = useFormat()
  usePageAgentContext({
    label: q.title,
    context: { quote_id: q.id, client_id: q.client.id },
    agent: 'quotes',
  })
  const [shown, setShown] = useState(q.current_version)
  const version = q.versions.find((v) => v.version_number === shown) ?? q.versions[0]
  if (!version) return <EmptyState title="This quote has no versions" />
  const previous = q.versions.find((v) => v.version_number === version.version_number - 1)
  const belowTarget =
    version.margin_pct !== null && Number(version.margin_pct) < Number(version.target_margin_pct)
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <p className="muted small" style={{ margin: 0 }}>
            <Link href="/quotes">Quotes</Link> / {q.client.name}
          </p>
          <h1>{q.title}</h1>
          <p>
            {APPROVAL[q.status]}
            {q.approved_at ? ` on ${fmt.date(q.approved_at)}` : ''}
            {q.valid_until ? ` · valid until ${fmt.date(q.valid_until)}` : ''}
            {q.project_id ? (
              <>
                {' · '}
                <Link href={`/projects/${q.project_id}`}>its project</Link>
              </>
            ) : null}
          </p>
        </div>
        <div className="row">
          <StatusBadge status={q.status} />
          {q.versions.length > 1 ? (
            <Select
              label="Version"
              value={String(version.version_number)}
              onChange={(e) => setShown(Number(e.target.value))}
              options={q.versions.map((v) => ({
                value: String(v.version_number),
                label: `v${v.version_number}${v.version_number === q.current_version ? ' (current)' : ''}`,
              }))}
            />
          ) : null}
        </div>
      </div>
      <div className="grid grid-4">
        <Card>
          <Stat
            label="Price"
            value={fmt.money(version.price_minor)}
            detail={`${version.pricing_model.replaceAll('_', ' ')}, ${fmt.hours(version.expected_hours)} expected`}
          />
        </Card>
        <Card>
          <Stat label="Cost" value={fmt.money(version.cost_minor)} />
        </Card>
        <Card>
          <Stat
            label="Margin"
            value={fmt.pct(version.margin_pct)}
            detail={
              <>
                target {fmt.pct(version.target_margin_pct, 0)}{' '}
                {belowTarget ? (
                  <Badge tone="warn">below target</Badge>
                ) : (
                  <Badge tone="good">meets target</Badge>
                )}
              </>
            }
          />
        </Card>
        <Card>
          <Stat
            label="Risk-adjusted"
            value={fmt.money(version.p80_price_minor)}
            detail={`P50 ${fmt.money(version.p50_price_minor)} · P80 ${fmt.money(version.p80_price_minor)} · P90 ${fmt.money(version.p90_price_minor)}`}
          />
        </Card>
      </div>
      <Card title={`Lines of v${version.version_number}`} labelledBy="lines">
        <LinesTable version={version} />
        <p className="muted small">
          Contingency {fmt.pct(version.contingency_pct, 0)} · discount {fmt.pct(version.discount_pct, 0)} ·
          expected hours are (optimistic + 4 × likely + pessimistic) / 6
        </p>
      </Card>
      {previous ? (
        <Card
          title={`What changed from v${previous.version_number} to v${version.version_number}`}
          labelledBy="version-diff"
        >
          <VersionDiffView before={previous} after={version} />
        </Card>
      ) : null}
    </div>
  )
}

function LinesTable({ version }: { version: QuoteVersion }) {
  const fmt = useFormat()
  return (
    <div className={uiStyles.tableWrap}>
      <table className={uiStyles.table}>
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col">Description</th>
            <th scope="col" className={uiStyles.num}>
              Hours (o / m / p)
            </th>
            <th scope="col" className={uiStyles.num}>
              Expected
            </th>
            <th scope="col" className={uiStyles.num}>
              Cost rate
            </th>
            <th scope="col" className={uiStyles.num}>
              Bill rate
            </th>
            <th scope="col" className={uiStyles.num}>
              Cost
            </th>
            <th scope="col" className={uiStyles.num}>
              List
            </th>
          </tr>
        </thead>
        <tbody>
          {version.lines.map((l) => (
            <tr key={l.id}>
              <td>{l.role.name}</td>
              <td>{l.description ?? '—'}</td>
              <td className={uiStyles.num}>
                {fmt.number(l.optimistic_hours)} / {fmt.number(l.likely_hours)} /{' '}
                {fmt.number(l.pessimistic_hours)}
              </td>
              <td className={uiStyles.num}>{fmt.hours(l.expected_hours)}</td>
              <td className={uiStyles.num}>{fmt.money(l.cost_rate_minor)}</td>
              <td className={uiStyles.num}>{fmt.money(l.bill_rate_minor)}</td>
              <td className={uiStyles.num}>{fmt.money(l.line_cost_minor)}</td>
              <td className={uiStyles.num}>{fmt.money(l.line_list_minor)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function VersionDiffView({ before, after }: { before: QuoteVersion; after: QuoteVersion }) {
  const fmt = useFormat()
  const diff = diffVersions(before, after)
  const show = (field: string, value: string) => formatValue(field, value, fmt)
  if (diff.terms.length + diff.totals.length + diff.lines.length === 0) return <p>Nothing changed.</p>
  return (
    <ul className="list-plain">
      {[...diff.terms, ...diff.totals].map((c) => (
        <li key={c.field}>
          {humanize(c.field)}:{' '}
          <span style={{ textDecoration: 'line-through' }}>{show(c.field, c.before)}</span> →{' '}
          <strong>{show(c.field, c.after)}</strong>
        </li>
      ))}
      {diff.lines.map((l) => (
        <li key={l.kind + l.label}>
          <Badge tone={l.kind === 'added' ? 'good' : l.kind === 'removed' ? 'bad' : 'info'}>
            line {l.kind}
          </Badge>{' '}
          {l.label}
          {l.changes.map((c) => (
            <span key={c.field} className="small">
              {' · '}
              {humanize(c.field)} {show(c.field, c.before)} → {show(c.field, c.after)}
            </span>
          ))}
        </li>
      ))}
    </ul>
  )
}
