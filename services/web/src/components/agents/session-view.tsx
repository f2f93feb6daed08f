'use client'

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import Link from 'next/link'
import { useEffect } from 'react'
import { api } from '../../lib/api/browser'
import type { QueuePosition, Session } from '../../lib/api/types'
import { queries } from '../../lib/queries'
import { useFormat } from '../shell/organisation'
import { Badge, StatusBadge } from '../ui/badge'
import { Button } from '../ui/button'
import { Card } from '../ui/card'
import { EmptyState, QueryState } from '../ui/states'
import { useToast } from '../ui/toast'
import { ProposalCard } from './proposal-card'
import { ResultView } from './result-view'
import { childSessions, SessionTree, treeIsLive } from './session-tree'
import { agentLabel } from './suggestions'
import { ThinkingLog } from './thinking-log'
import { isTerminal, useSessionEvents } from './use-session-events'

const STREAM_LABEL = {
  connecting: 'connecting…',
  open: 'live',
  reconnecting: 'reconnecting…',
  closed: 'ended',
} as const

export function SessionView({ sessionId }: { sessionId: string }) {
  const query = useQuery(queries.session(api, sessionId))
  return <QueryState query={query}>{(s) => <SessionBody session={s} />}</QueryState>
}

function SessionBody({ session }: { session: Session }) {
  const fmt = useFormat()
  const toast = useToast()
  const queryClient = useQueryClient()
  const { events, state } = useSessionEvents(session.session_id)
  const last = events.at(-1)
  const ended = last ? isTerminal(last) : ['completed', 'failed', 'cancelled'].includes(session.status)
  const proposalsCreated = events.filter((e) => e.type === 'proposal_created').length
  const toolCalls = events.filter((e) => e.type.startsWith('tool_call_')).length
  const status = [...events].reverse().find((e) => e.type === 'status_changed')?.data.status ?? session.status
  const final = events.find((e) => e.type === 'final_result')

  // Refresh the session row and its proposals as the stream reports progress.
  // biome-ignore lint/correctness/useExhaustiveDependencies: counts of events are the triggers
  useEffect(() => {
    void queryClient.invalidateQueries({ queryKey: ['session', session.session_id] })
    void queryClient.invalidateQueries({ queryKey: ['proposals', { session_id: session.session_id }] })
  }, [ended, proposalsCreated, queryClient, session.session_id])
  // A delegation is a tool call: its start creates a child session, its end means the child finished.
  useEffect(() => {
    if (toolCalls > 0) void queryClient.invalidateQueries({ queryKey: ['sessions'] })
  }, [toolCalls, queryClient])

  const queue = useQuery({
    queryKey: ['session', session.session_id, 'queue'],
    queryFn: () => api<QueuePosition>(`/api/sessions/${session.session_id}/queue-position`),
    enabled: status === 'queued',
    refetchInterval: 2_000,
  })
  const proposals = useQuery(queries.sessionProposals(api, session.session_id))
  // The delegated sessions come from the session list, which the change feed refreshes as their rows
  // change; while any is still running it is polled as well, so the tree stays live without the feed.
  const all = useQuery({
    ...queries.sessions(api),
    refetchInterval: (q) => (treeIsLive(q.state.data ?? [], session.session_id) ? 3_000 : false),
  })
  const children = childSessions(all.data ?? [], session.session_id)
  const cancel = useMutation({
    mutationFn: () =>
      api<Session>(`/api/sessions/${session.session_id}/cancel`, { method: 'POST', body: {} }),
    onSuccess: () => toast({ title: 'Cancelled', tone: 'info' }),
    onError: (e) =>
      toast({ title: 'Could not cancel', text: e instanceof Error ? e.message : String(e), tone: 'bad' }),
  })

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1 style={{ fontSize: '1.3rem' }}>{agentLabel(session.type)}</h1>
          <p>{session.request}</p>
        </div>
        <div className="row">
          <StatusBadge status={String(status)} />
          <Badge tone={state === 'open' ? 'info' : 'neutral'}>stream {STREAM_LABEL[state]}</Badge>
          {!ended ? (
            <Button variant="danger" size="small" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
              Cancel
            </Button>
          ) : null}
        </div>
      </div>
      {status === 'queued' ? (
        <Card>
          <p role="status" style={{ margin: 0 }}>
            Waiting in the {agentLabel(session.type)} queue
            {queue.data && queue.data.position > 0
              ? `: position ${queue.data.position} of ${queue.data.queue_depth}`
              : '…'}
          </p>
        </Card>
      ) : null}
      <dl className="facts small">
        <dt>Asked</dt>
        <dd>{fmt.dateTime(session.created_at)}</dd>
        {Object.keys(session.context).length > 0 ? (
          <>
            <dt>Context</dt>
            <dd>
              {Object.entries(session.context).map(([k, v]) => (
                <Badge key={k} tone="info">
                  {k}: {typeof v === 'string' ? v.slice(0, 8) : JSON.stringify(v)}
                </Badge>
              ))}
            </dd>
          </>
        ) : null}
        {session.parent_session_id ? (
          <>
            <dt>Part of</dt>
            <dd>
              <Link href={`/agents/${session.parent_session_id}`}>the orchestrator's run</Link>
            </dd>
          </>
        ) : null}
        {ended && session.processing_time_ms > 0 ? (
          <>
            <dt>Took</dt>
            <dd>
              {fmt.number(session.processing_time_ms / 1000, 1)} s · {fmt.number(session.usage.total_tokens)}{' '}
              tokens
            </dd>
          </>
        ) : null}
      </dl>
      {children.length > 0 ? (
        <Card title="Delegated to" labelledBy="children">
          <SessionTree
            sessions={all.data ?? []}
            parentId={session.session_id}
            item={(c) => (
              <span className="row" style={{ gap: '0.4rem' }}>
                <Link href={`/agents/${c.session_id}`}>{agentLabel(c.type)}</Link>
                <StatusBadge status={c.status} />
                <span className="muted small">{c.request.slice(0, 90)}</span>
              </span>
            )}
          />
        </Card>
      ) : null}
      {final || session.result ? (
        <Card title="Answer" labelledBy="answer">
          {final ? <p style={{ marginTop: 0 }}>{String(final.data.text)}</p> : null}
          <ResultView value={final?.data.result ?? session.result} />
        </Card>
      ) : null}
      {session.error ? (
        <Card title="Error" labelledBy="session-error">
          <p role="alert" style={{ margin: 0 }}>
            {session.error}
          </p>
        </Card>
      ) : null}
      {(proposals.data ?? []).map((p) => (
        <ProposalCard key={p.id} proposal={p} />
      ))}
      <Card title="Thinking" labelledBy="thinking">
        {events.length === 0 ? (
          <EmptyState title="Waiting for the first event" />
        ) : (
          <ThinkingLog events={events} />
        )}
      </Card>
    </div>
  )
}
