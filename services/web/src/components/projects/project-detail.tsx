'use client'

import { useQuery } from '@tanstack/react-query'
import dynamic from 'next/dynamic'
import Link from 'next/link'
import { api } from '../../lib/api/browser'
import type { ProjectDetail as Project } from '../../lib/api/types'
import { queries } from '../../lib/queries'
import { usePageAgentContext } from '../shell/agent-context'
import { useFormat } from '../shell/organisation'
import { Badge, HealthBadge, StatusBadge } from '../ui/badge'
import { Card, Stat } from '../ui/card'
import { EmptyState, LoadingState, QueryState } from '../ui/states'
import uiStyles from '../ui/ui.module.css'
import styles from './projects.module.css'

const Gantt = dynamic(() => import('./gantt'), {
  ssr: false,
  loading: () => <LoadingState label="Loading the timeline…" />,
})

export function ProjectDetailView({ projectId }: { projectId: string }) {
  const query = useQuery(queries.project(api, projectId))
  return <QueryState query={query}>{(p) => <ProjectBody project={p} />}</QueryState>
}

const daysBetween = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000)

function ProjectBody({ project: p }: { project: Project }) {
  const fmt = useFormat()
  usePageAgentContext({
    label: `${p.code} ${p.name}`,
    context: { project_id: p.id },
    agent: 'project_management',
  })
  const critical = new Set(p.critical_path.task_ids)
  const baseline = new Map((p.baseline?.tasks ?? []).map((t) => [t.task_id, t]))
  const burn = Number(p.burn.burn_pct ?? 0)
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <p className="muted small" style={{ margin: 0 }}>
            <Link href="/projects">Projects</Link> / {p.code}
          </p>
          <h1>{p.name}</h1>
          <p>
            {p.client.name} · {fmt.date(p.starts_on)} – {fmt.date(p.ends_on)} ·{' '}
            {p.billing_model.replaceAll('_', ' ')}
            {p.manager ? ` · managed by ${p.manager.full_name}` : ''}
          </p>
        </div>
        <div className="row">
          <StatusBadge status={p.status} />
          <HealthBadge health={p.health} />
        </div>
      </div>

      <div className="grid grid-4">
        <Card>
          <Stat
            label="Budget used"
            value={fmt.pct(p.burn.burn_pct)}
            detail={`${fmt.money(p.burn.burn_minor)} of ${fmt.money(p.burn.budget_minor)}`}
          />
          <div className={styles.burnBar} aria-hidden="true">
            <div
              className={styles.burnFill}
              data-over={burn >= 85}
              style={{ width: `${Math.min(100, burn)}%` }}
            />
          </div>
        </Card>
        <Card>
          <Stat
            label="Work done"
            value={fmt.pct(p.burn.percent_complete)}
            detail={`of ${fmt.hours(p.burn.estimate_hours)} estimated`}
          />
        </Card>
        <Card>
          <Stat
            label="Hours logged"
            value={fmt.hours(p.burn.hours_logged)}
            detail={`${fmt.hours(p.burn.billable_hours)} billable`}
          />
        </Card>
        <Card>
          <Stat
            label="Cost so far"
            value={fmt.money(p.burn.cost_minor)}
            detail="Logged hours at cost rates"
          />
        </Card>
      </div>

      <Card title="Health" labelledBy="health">
        {p.health_reasons.length === 0 ? (
          <p style={{ margin: 0 }}>Nothing to worry about: budget, milestones and dates are on track.</p>
        ) : (
          <ul className={styles.reasons}>
            {p.health_reasons.map((r) => (
              <li key={r.code + r.message}>
                <Badge tone={r.severity === 'red' ? 'bad' : 'warn'}>
                  {r.severity === 'red' ? 'Off track' : 'At risk'}
                </Badge>{' '}
                {r.message}
              </li>
            ))}
          </ul>
        )}
      </Card>

      <Card title="Timeline" labelledBy="timeline">
        {p.tasks.length === 0 ? (
          <EmptyState title="No tasks planned yet">Ask the project agent for a plan.</EmptyState>
        ) : (
          <Gantt project={p} />
        )}
        <div className={styles.legend}>
          <span>
            <span className={styles.swatch} style={{ background: '#b42318' }} />
            Critical path
            {p.critical_path.finishes_on ? ` (finishes ${fmt.date(p.critical_path.finishes_on)})` : ''}
          </span>
          <span>
            <span className={styles.swatch} style={{ background: '#9db4ee' }} />
            Task (darker: done)
          </span>
          <span>
            <span className={styles.swatch} style={{ background: '#8a4f00' }} />◆ Milestone
          </span>
          <span>Arrows: dependencies</span>
        </div>
      </Card>

      <Card title="Phases and tasks" labelledBy="tasks">
        <div className={uiStyles.tableWrap}>
          <table className={uiStyles.table}>
            <caption className="visually-hidden">Tasks by phase, with critical path and baseline</caption>
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Role</th>
                <th scope="col">Assignee</th>
                <th scope="col">Dates</th>
                {p.baseline ? <th scope="col">Baseline</th> : null}
                <th scope="col" className={uiStyles.num}>
                  Estimate
                </th>
                <th scope="col" className={uiStyles.num}>
                  Done
                </th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            {p.phases.map((phase) => (
              <tbody key={phase.id}>
                <tr>
                  <th scope="rowgroup" colSpan={p.baseline ? 8 : 7}>
                    {phase.sequence}. {phase.name}{' '}
                    <span className="muted small">
                      {fmt.date(phase.starts_on)} – {fmt.date(phase.ends_on)}
                    </span>
                  </th>
                </tr>
                {p.tasks
                  .filter((t) => t.phase_id === phase.id)
                  .map((t) => {
                    const base = baseline.get(t.id)
                    const slip = base && t.ends_on ? daysBetween(base.ends_on, t.ends_on) : 0
                    return (
                      <tr key={t.id}>
                        <td>
                          {t.name}
                          {critical.has(t.id) ? <span className={styles.critical}> · critical</span> : null}
                        </td>
                        <td>{t.role?.name ?? '—'}</td>
                        <td>
                          {t.assignee ? (
                            <Link href={`/resources/${t.assignee.id}`}>{t.assignee.full_name}</Link>
                          ) : (
                            '—'
                          )}
                        </td>
                        <td>
                          {fmt.date(t.starts_on, 'short')} – {fmt.date(t.ends_on, 'short')}
                        </td>
                        {p.baseline ? (
                          <td>
                            {base
                              ? `${fmt.date(base.starts_on, 'short')} – ${fmt.date(base.ends_on, 'short')}`
                              : '—'}
                            {slip > 0 ? <Badge tone="warn">+{slip} d</Badge> : null}
                          </td>
                        ) : null}
                        <td className={uiStyles.num}>{fmt.hours(t.estimate_hours)}</td>
                        <td className={uiStyles.num}>{fmt.pct(t.percent_complete, 0)}</td>
                        <td>
                          <StatusBadge status={t.status} />
                        </td>
                      </tr>
                    )
                  })}
              </tbody>
            ))}
          </table>
        </div>
      </Card>

      <div className="grid grid-2">
        <Card title="Milestones" labelledBy="milestones">
          <ul className="list-plain">
            {p.milestones.map((m) => (
              <li key={m.id} className="row">
                <span>◆ {m.name}</span>
                <span className="muted small">due {fmt.date(m.due_on)}</span>
                {m.completed_on ? (
                  <Badge tone="good">done {fmt.date(m.completed_on, 'short')}</Badge>
                ) : m.late ? (
                  <Badge tone="bad">late</Badge>
                ) : null}
              </li>
            ))}
          </ul>
        </Card>
        <Card title={`People on it (${p.team.length})`} labelledBy="team">
          {p.team.length === 0 ? (
            <EmptyState title="Nobody is booked yet" />
          ) : (
            <ul className="list-plain">
              {p.team.map((m) => (
                <li key={m.person.id} className="row">
                  <Link href={`/resources/${m.person.id}`}>{m.person.full_name}</Link>
                  <span className="muted small">{m.role.name}</span>
                  {m.booking_kinds.map((k) => (
                    <Badge key={k} tone={k === 'hard' ? 'info' : 'outline'}>
                      {k}
                    </Badge>
                  ))}
                  <span className="small">
                    {Number(m.booked_hours_per_week) > 0
                      ? `${fmt.hours(m.booked_hours_per_week)}/week now · `
                      : ''}
                    {fmt.hours(m.hours_logged)} logged
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>

      {p.baseline ? (
        <Card title="Baseline" labelledBy="baseline">
          <p style={{ margin: 0 }}>
            {p.baseline.name} (taken {fmt.date(p.baseline.created_at)}): {fmt.date(p.baseline.starts_on)} –{' '}
            {fmt.date(p.baseline.ends_on)}, budget {fmt.money(p.baseline.budget_minor)}.{' '}
            {p.baseline.ends_on && p.baseline.ends_on < p.ends_on
              ? `Now ending ${daysBetween(p.baseline.ends_on, p.ends_on)} days later.`
              : 'On its baseline dates.'}
          </p>
        </Card>
      ) : null}
    </div>
  )
}
