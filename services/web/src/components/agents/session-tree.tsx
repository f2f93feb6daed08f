import type { ReactNode } from 'react'
import type { Session } from '../../lib/api/types'
import styles from './agents.module.css'

const TERMINAL = new Set(['completed', 'failed', 'cancelled'])

/** The sessions delegated by `parentId`, oldest first (the order the orchestrator handed out the steps). */
export function childSessions(sessions: readonly Session[], parentId: string): Session[] {
  return sessions
    .filter((s) => s.parent_session_id === parentId)
    .sort((a, b) => (a.created_at ?? '').localeCompare(b.created_at ?? ''))
}

/** True while any session below `parentId` is still queued or running (the tree is still changing). */
export function treeIsLive(sessions: readonly Session[], parentId: string): boolean {
  return childSessions(sessions, parentId).some(
    (c) => !TERMINAL.has(c.status) || treeIsLive(sessions, c.session_id),
  )
}

/**
 * An orchestrator run's delegated sessions, and theirs, as nested lists: each level a list labelled
 * "Delegated sessions" under the session that delegated it. `item` draws one session.
 */
export function SessionTree({
  sessions,
  parentId,
  item,
  depth = 0,
}: {
  sessions: readonly Session[]
  parentId: string
  item: (session: Session) => ReactNode
  depth?: number
}) {
  const children = childSessions(sessions, parentId)
  // A cycle cannot be stored, but a page of sessions is data from the network: never recurse without end.
  if (children.length === 0 || depth > 8) return null
  return (
    <ul className={styles.children} aria-label="Delegated sessions">
      {children.map((c) => (
        <li key={c.session_id}>
          {item(c)}
          <SessionTree sessions={sessions} parentId={c.session_id} item={item} depth={depth + 1} />
        </li>
      ))}
    </ul>
  )
}
