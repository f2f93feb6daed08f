'use client'

import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { api } from '../../lib/api/browser'
import type { ResourceDetail } from '../../lib/api/types'
import { queries } from '../../lib/queries'
import { usePageAgentContext } from '../shell/agent-context'
import { useFormat } from '../shell/organisation'
import { Badge } from '../ui/badge'
import { Card, Stat } from '../ui/card'
import { EmptyState, QueryState } from '../ui/states'
import uiStyles from '../ui/ui.module.css'
import styles from './resources.module.css'

export function PersonDetailView({ personId }: { personId: string }) {
  const query = useQuery(queries.resource(api, personId))
  return <QueryState query={query}>{(p) => <PersonBody person={p} />}</QueryState>
}

function PersonBody({ person: p }: { person: ResourceDetail }) {
  const fmt = useFormat()
  usePageAgentContext({ label: p.full_name, context: { person_id: p.id }, agent: 'resourcing' })
  const today = new Date().toISOString().slice(0, 10)
  const past = p.utilisation.filter((w) => w.starts_on < today && Number(w.capacity_hours) > 0)
  const capacity = past.reduce((t, w) => t + Number(w.capacity_hours), 0)
  const billable = past.reduce((t, w) => t + Number(w.billable_hours), 0)
  const current = p.allocations.filter((a) => a.ends_on >= today)
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <p className="muted small" style={{ margin: 0 }}>
            <Link href="/resources">Resources</Link> / {p.full_name}
          </p>
          <h1>{p.full_name}</h1>
          <p>
            {p.role.name}, level {p.level}
            {p.location ? ` · ${p.location.name}` : ''}
            {p.email ? ` · ${p.email}` : ''}
          </p>
        </div>
      </div>
      <div className="grid grid-4">
        <Card>
          <Stat
            label="Utilisation, last 12 weeks"
            value={fmt.pct(capacity > 0 ? (billable / capacity) * 100 : null)}
            detail={`Target ${fmt.pct(p.utilisation_target_pct, 0)}`}
          />
        </Card>
        <Card>
          <Stat label="Capacity" value={`${fmt.hours(p.weekly_capacity_hours)}/wk`} />
        </Card>
        <Card>
          <Stat
            label="Bill rate"
            value={`${fmt.money(p.bill_rate_minor)}/h`}
            detail={`cost ${fmt.money(p.cost_rate_minor)}/h`}
          />
        </Card>
        <Card>
          <Stat
            label="Current bookings"
            value={current.length}
            detail={`${current.filter((a) => a.kind === 'soft').length} soft`}
          />
        </Card>
      </div>
      <Card title="Skills" labelledBy="skills">
        <span className={styles.skills}>
          {p.skills.map((s) => (
            <Badge key={s.skill_id} tone={s.proficiency >= 4 ? 'info' : 'neutral'}>
              {s.name} · {s.proficiency}/5
            </Badge>
          ))}
        </span>
      </Card>
      <Card title="Weekly load" labelledBy="weekly-load">
        <div className={uiStyles.tableWrap}>
          <table className={uiStyles.table}>
            <thead>
              <tr>
                <th scope="col">Week of</th>
                <th scope="col" className={uiStyles.num}>
                  Capacity
                </th>
                <th scope="col" className={uiStyles.num}>
                  Hard
                </th>
                <th scope="col" className={uiStyles.num}>
                  Soft
                </th>
                <th scope="col" className={uiStyles.num}>
                  Booked
                </th>
                <th scope="col" className={uiStyles.num}>
                  Logged
                </th>
                <th scope="col" className={uiStyles.num}>
                  Billable
                </th>
                <th scope="col" className={uiStyles.num}>
                  Time off
                </th>
              </tr>
            </thead>
            <tbody>
              {p.utilisation.map((w) => (
                <tr key={w.starts_on}>
                  <th scope="row">{fmt.date(w.starts_on)}</th>
                  <td className={uiStyles.num}>{fmt.hours(w.capacity_hours)}</td>
                  <td className={uiStyles.num}>{fmt.hours(w.hard_hours)}</td>
                  <td className={uiStyles.num}>{fmt.hours(w.soft_hours)}</td>
                  <td className={uiStyles.num}>
                    {fmt.pct(w.booked_pct, 0)} {w.over_allocated ? <Badge tone="bad">over</Badge> : null}
                  </td>
                  <td className={uiStyles.num}>{fmt.hours(w.logged_hours)}</td>
                  <td className={uiStyles.num}>{fmt.hours(w.billable_hours)}</td>
                  <td className={uiStyles.num}>
                    {Number(w.time_off_hours) > 0 ? fmt.hours(w.time_off_hours) : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      <div className="grid grid-2">
        <Card title="Bookings" labelledBy="bookings">
          {p.allocations.length === 0 ? (
            <EmptyState title="No bookings" />
          ) : (
            <ul className="list-plain">
              {[...p.allocations].reverse().map((a) => (
                <li key={a.id} className="row">
                  <Link href={`/projects/${a.project.id}`}>
                    {a.project.code} {a.project.name}
                  </Link>
                  <Badge tone={a.kind === 'hard' ? 'info' : 'outline'}>{a.kind}</Badge>
                  <span className="small">
                    {fmt.hours(a.hours_per_week)}/wk, {fmt.date(a.starts_on, 'short')} – {fmt.date(a.ends_on)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Time off" labelledBy="time-off">
          {p.time_off.length === 0 ? (
            <EmptyState title="No time off" />
          ) : (
            <ul className="list-plain">
              {[...p.time_off].reverse().map((t) => (
                <li key={t.id} className="row">
                  <Badge>{t.kind}</Badge>
                  <span className="small">
                    {fmt.date(t.starts_on)} – {fmt.date(t.ends_on)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </div>
  )
}
