'use client'

import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { usePathname } from 'next/navigation'
import { api } from '../../lib/api/browser'
import type { Session } from '../../lib/api/types'
import { queries } from '../../lib/queries'
import { useFormat } from '../shell/organisation'
import { StatusBadge } from '../ui/badge'
import { Card } from '../ui/card'
import { QueryState } from '../ui/states'
import styles from './agents.module.css'
import { SessionTree } from './session-tree'
import { agentLabel } from './suggestions'

/** Recent sessions of the organisation, orchestrator runs with their delegated sessions beneath them. */
export function SessionHistory() {
  const query = useQuery(queries.sessions(api))
  const pathname = usePathname()
  const fmt = useFormat()
  const item = (s: Session) => (
    <Link
      href={`/agents/${s.session_id}`}
      className={styles.historyItem}
      aria-current={pathname === `/agents/${s.session_id}` ? 'page' : undefined}
    >
      <span className="row" style={{ gap: '0.4rem' }}>
        <strong className="small">{agentLabel(s.type)}</strong> <StatusBadge status={s.status} />
      </span>
      <span className={styles.historyRequest}>{s.request}</span>
      <span className="muted small">{fmt.relative(s.created_at)}</span>
    </Link>
  )
  return (
    <Card title="History" labelledBy="session-history">
      <QueryState
        query={query}
        empty={{ title: 'No sessions yet', text: 'Ask an agent something.' }}
        isEmpty={(d) => d.length === 0}
      >
        {(sessions) => {
          const ids = new Set(sessions.map((s) => s.session_id))
          const roots = sessions.filter((s) => !s.parent_session_id || !ids.has(s.parent_session_id))
          return (
            <ul className={styles.history}>
              {roots.map((s) => (
                <li key={s.session_id}>
                  {item(s)}
                  <SessionTree sessions={sessions} parentId={s.session_id} item={item} />
                </li>
              ))}
            </ul>
          )
        }}
      </QueryState>
    </Card>
  )
}
