'use client'

import { useQuery } from '@tanstack/react-query'
import dynamic from 'next/dynamic'
import Link from 'next/link'
import { api } from '../../lib/api/browser'
import type { Dashboard } from '../../lib/api/types'
import { queries } from '../../lib/queries'
import { useFormat } from '../shell/organisation'
import { Badge, HealthBadge } from '../ui/badge'
import { Card, Stat } from '../ui/card'
import { EmptyState, LoadingState, QueryState } from '../ui/states'

// Charts load after the figures: they are below the fold on a laptop and the heaviest script on the page.
const UtilisationChart = dynamic(() => import('../charts/utilisation-chart'), {
  ssr: false,
  loading: () => <LoadingState label="Loading chart…" />,
})
const BurnChart = dynamic(() => import('../charts/burn-chart'), {
  ssr: false,
  loading: () => <LoadingState label="Loading chart…" />,
})

export function DashboardView() {
  const query = useQuery(queries.dashboard(api))
  return <QueryState query={query}>{(d) => <DashboardBody d={d} />}</QueryState>
}

function DashboardBody({ d }: { d: Dashboard }) {
  const fmt = useFormat()
  const u = d.utilisation
  const last = d.last_month
  const lastName = new Intl.DateTimeFormat(fmt.locale, { month: 'long', timeZone: 'UTC' }).format(
    new Date(`${last.period.starts_on}T00:00:00Z`),
  )
  const under =
    u.utilisation_pct !== null && u.target_pct !== null && Number(u.utilisation_pct) < Number(u.target_pct)
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Dashboard</h1>
          <p>
            {fmt.date(d.period.starts_on)} – {fmt.date(d.period.ends_on)} (this month to date)
          </p>
        </div>
      </div>
      <div className="grid grid-4" data-testid="kpis">
        <Card>
          <Stat
            label="Utilisation this month"
            value={fmt.pct(u.utilisation_pct)}
            detail={
              <>
                Target {fmt.pct(u.target_pct)}{' '}
                {under ? <Badge tone="warn">Below target</Badge> : <Badge tone="good">On target</Badge>}
                <br />
                {lastName}: {fmt.pct(last.utilisation.utilisation_pct)}
              </>
            }
          />
        </Card>
        <Card>
          <Stat
            label="Billable hours"
            value={fmt.hours(u.billable_hours)}
            detail={`of ${fmt.hours(u.logged_hours)} logged, ${fmt.hours(u.capacity_hours)} capacity · ${lastName}: ${fmt.hours(last.utilisation.billable_hours)}`}
          />
        </Card>
        <Card>
          <Stat
            label="Revenue"
            value={fmt.money(d.revenue.billable_value_minor)}
            detail={`Billable time at bill rates · ${lastName}: ${fmt.money(last.revenue.billable_value_minor, { compact: true })}`}
          />
        </Card>
        <Card>
          <Stat
            label="Margin"
            value={fmt.money(d.revenue.margin_minor)}
            detail={`${fmt.pct(d.revenue.margin_pct)} after ${fmt.money(d.revenue.cost_minor)} cost · ${lastName}: ${fmt.pct(last.revenue.margin_pct)}`}
          />
        </Card>
      </div>

      <div className="grid grid-2">
        <Card title="Utilisation by week" labelledBy="utilisation-chart">
          <figure
            style={{ margin: 0 }}
            aria-label="Billable utilisation of past weeks and bookings of the weeks ahead against the target"
          >
            <UtilisationChart
              weeks={d.utilisation_by_week}
              target={u.target_pct === null ? null : Number(u.target_pct)}
              fmt={fmt}
            />
          </figure>
        </Card>
        <Card title={`Projects at risk (${d.projects_at_risk.length})`} labelledBy="projects-at-risk">
          {d.projects_at_risk.length === 0 ? (
            <EmptyState title="No project is at risk">
              Budgets, milestones and dates all look fine.
            </EmptyState>
          ) : (
            <ul className="list-plain" aria-label="Projects at risk">
              {d.projects_at_risk.map((p) => (
                <li key={p.id}>
                  <div className="row">
                    <Link href={`/projects/${p.id}`}>
                      <strong>{p.code}</strong> {p.name}
                    </Link>
                    <HealthBadge health={p.health} />
                    <span className="muted small">{p.client.name}</span>
                  </div>
                  <ul className="small muted" style={{ margin: '0.2rem 0 0', paddingLeft: '1.1rem' }}>
                    {p.reasons.map((r) => (
                      <li key={r.code + r.message}>{r.message}</li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>

      <div className="grid grid-2">
        <Card title="Budget burn of projects at risk" labelledBy="burn-chart">
          {d.projects_at_risk.length === 0 ? (
            <EmptyState title="Nothing to show">No project is at risk.</EmptyState>
          ) : (
            <figure style={{ margin: 0 }} aria-label="Budget used against work done for each project at risk">
              <BurnChart
                projects={d.projects_at_risk.map((p) => ({
                  code: p.code,
                  burn_pct: p.burn.burn_pct,
                  percent_complete: p.burn.percent_complete,
                }))}
                fmt={fmt}
              />
            </figure>
          )}
        </Card>
        <div className="stack">
          <Card
            title={`Open resource requests (${d.open_resource_requests.count})`}
            labelledBy="open-requests"
          >
            <p className="muted small" style={{ marginTop: 0 }}>
              {fmt.hours(d.open_resource_requests.hours_per_week)} per week unstaffed
            </p>
            <ul className="list-plain small">
              {d.open_resource_requests.items.slice(0, 6).map((r) => (
                <li key={r.id}>
                  <Link href={`/projects/${r.project.id}`}>{r.project.code}</Link> {r.role_name}
                  {r.skill_name
                    ? ` (${r.skill_name}${r.min_proficiency ? ` ≥ ${r.min_proficiency}` : ''})`
                    : ''}
                  , {fmt.hours(r.hours_per_week)}/week from {fmt.date(r.starts_on, 'short')}
                </li>
              ))}
            </ul>
          </Card>
          <Card title={`Pending proposals (${d.pending_proposals.count})`} labelledBy="pending-proposals">
            {d.pending_proposals.count === 0 ? (
              <EmptyState title="Nothing waiting">No agent proposal is waiting for a decision.</EmptyState>
            ) : (
              <ul className="list-plain small">
                {d.pending_proposals.items.map((p) => (
                  <li key={p.id}>
                    <Link href={`/agents/${p.session_id}`}>{p.title}</Link>{' '}
                    <span className="muted">
                      {p.agent_type.replaceAll('_', ' ')} · {fmt.relative(p.created_at)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
    </div>
  )
}
