'use client'

import Link from 'next/link'
import type { SessionEvent } from '../../lib/api/types'
import { useFormat } from '../shell/organisation'
import { Badge, StatusBadge } from '../ui/badge'
import styles from './agents.module.css'
import { agentLabel } from './suggestions'

/** The agent's thinking as it happens: reasoning, tool calls with their inputs and summaries, hand-offs. */
export function ThinkingLog({ events }: { events: SessionEvent[] }) {
  const fmt = useFormat()
  const finished = new Map(
    events.filter((e) => e.type === 'tool_call_finished').map((e) => [String(e.data.tool_use_id), e]),
  )
  return (
    <ol className={styles.events} aria-label="Agent events" aria-live="polite">
      {events
        .filter(
          (e) =>
            e.type !== 'tool_call_finished' ||
            !events.some((s) => s.type === 'tool_call_started' && s.data.tool_use_id === e.data.tool_use_id),
        )
        .map((e) => (
          <li key={e.seq} className={styles.event} data-event-type={e.type}>
            <time className={styles.eventTime} dateTime={e.time}>
              {new Date(e.time).toLocaleTimeString(fmt.locale)}
            </time>
            <div className={styles.eventBody}>
              <EventBody
                event={e}
                finished={
                  e.type === 'tool_call_started' ? finished.get(String(e.data.tool_use_id)) : undefined
                }
              />
            </div>
          </li>
        ))}
    </ol>
  )
}

function EventBody({ event, finished }: { event: SessionEvent; finished: SessionEvent | undefined }) {
  const d = event.data
  switch (event.type) {
    case 'status_changed':
      return (
        <span className={styles.statusLine}>
          <StatusBadge status={String(d.status)} />
          {d.message ? <span>{String(d.message)}</span> : null}
          {d.status === 'queued' && Number(d.queue_position) > 0 ? (
            <span className="muted">position {String(d.queue_position)} in the queue</span>
          ) : null}
        </span>
      )
    case 'reasoning':
      return (
        <p className={styles.reasoning} style={{ margin: 0 }}>
          {String(d.text)}
        </p>
      )
    case 'tool_call_started':
    case 'tool_call_finished': {
      const done = event.type === 'tool_call_finished' ? event : finished
      return (
        <details className={styles.tool}>
          <summary>
            <span className={styles.toolName}>{String(d.name)}</span>{' '}
            {done ? (
              <>
                <Badge tone={done.data.ok ? 'good' : 'bad'}>{done.data.ok ? 'done' : 'failed'}</Badge>{' '}
                <span>{String(done.data.summary)}</span>{' '}
                <span className="muted small">{String(done.data.duration_ms)} ms</span>
              </>
            ) : (
              <Badge tone="info">running…</Badge>
            )}
          </summary>
          {d.input ? (
            <>
              <span className="small muted">Input</span>
              <pre className={styles.pre}>{JSON.stringify(d.input, null, 2)}</pre>
            </>
          ) : null}
        </details>
      )
    }
    case 'proposal_created':
      return (
        <span>
          <Badge tone="warn">proposal</Badge> <strong>{String(d.title)}</strong> — {String(d.summary)} (
          {String(d.change_count)} changes{d.auto_applied ? ', applied at once' : ''})
        </span>
      )
    case 'final_result':
      return (
        <span>
          <Badge tone="good">answer</Badge> {String(d.text)}
        </span>
      )
    case 'error':
      return (
        <span role="alert">
          <Badge tone="bad">{String(d.code)}</Badge> {String(d.message)}
        </span>
      )
    case 'child_session':
      return (
        <span>
          Delegated to{' '}
          <Link href={`/agents/${String(d.child_session_id)}`}>{agentLabel(String(d.agent_type))}</Link>{' '}
          <StatusBadge status={String(d.status)} />
        </span>
      )
  }
}
