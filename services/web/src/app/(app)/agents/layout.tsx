import type { ReactNode } from 'react'
import styles from '../../../components/agents/agents.module.css'
import { SessionHistory } from '../../../components/agents/session-history'
import { Prefetch, serverGet } from '../../../lib/prefetch'
import { queries } from '../../../lib/queries'

export default function AgentsLayout({ children }: { children: ReactNode }) {
  return (
    <Prefetch queries={[queries.sessions(serverGet)]}>
      <div className={styles.console}>
        <SessionHistory />
        <div className="stack">{children}</div>
      </div>
    </Prefetch>
  )
}
