'use client'

import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useRouter } from 'next/navigation'
import { type FormEvent, useId, useState } from 'react'
import { api } from '../../lib/api/browser'
import type { AgentType, Session } from '../../lib/api/types'
import { useOrganisation } from '../shell/organisation'
import { Badge } from '../ui/badge'
import { Button } from '../ui/button'
import { ErrorState } from '../ui/states'
import styles from './agents.module.css'
import { AGENTS, SUGGESTIONS } from './suggestions'

/** Ask an agent: pick one, write (or pick) a request, send it with the page's context. */
export function Composer({
  context,
  contextLabel,
  initialAgent = 'orchestrator',
  onSubmitted,
}: {
  context?: Record<string, unknown> | undefined
  contextLabel?: string | undefined
  initialAgent?: AgentType
  onSubmitted?: (session: Session) => void
}) {
  const [agent, setAgent] = useState<AgentType>(initialAgent)
  const [request, setRequest] = useState('')
  const [autoApply, setAutoApply] = useState(false)
  const { canDecide } = useOrganisation()
  const router = useRouter()
  const queryClient = useQueryClient()
  const textId = useId()
  const submit = useMutation({
    mutationFn: () =>
      api<Session>('/api/agents', {
        method: 'POST',
        body: {
          type: agent,
          request,
          ...(context ? { context } : {}),
          ...(autoApply ? { auto_apply: true } : {}),
          session_id: crypto.randomUUID(),
        },
      }),
    onSuccess: (session) => {
      void queryClient.invalidateQueries({ queryKey: ['sessions'] })
      onSubmitted?.(session)
      router.push(`/agents/${session.session_id}`)
    },
  })
  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    if (request.trim()) submit.mutate()
  }
  return (
    <form className={styles.composer} onSubmit={onSubmit} aria-label="Ask an agent">
      <fieldset className={styles.agentPicker}>
        <legend>Agent</legend>
        {AGENTS.map((a) => (
          <label key={a.type} className={styles.agentOption} title={a.does}>
            <input
              type="radio"
              name="agent"
              value={a.type}
              checked={agent === a.type}
              onChange={() => setAgent(a.type)}
            />
            {a.label}
          </label>
        ))}
      </fieldset>
      <div className="stack" style={{ gap: '0.3rem' }}>
        <label htmlFor={textId} style={{ fontWeight: 600 }}>
          Request
        </label>
        <textarea
          id={textId}
          className="text-input"
          rows={3}
          value={request}
          onChange={(e) => setRequest(e.target.value)}
          placeholder="What should the agent do?"
          required
        />
      </div>
      <div>
        <span className="small muted" id={`${textId}-suggestions`}>
          Suggestions
        </span>
        <ul className={styles.suggestions} aria-labelledby={`${textId}-suggestions`}>
          {SUGGESTIONS[agent].map((s) => (
            <li key={s}>
              <button type="button" className={styles.suggestion} onClick={() => setRequest(s)}>
                {s}
              </button>
            </li>
          ))}
        </ul>
      </div>
      {context && Object.keys(context).length > 0 ? (
        <div className={styles.contextChips}>
          <span className="muted">Context sent along:</span>
          <Badge tone="info">{contextLabel ?? Object.keys(context).join(', ')}</Badge>
        </div>
      ) : null}
      <div className="row">
        {canDecide ? (
          <label className="row small">
            <input type="checkbox" checked={autoApply} onChange={(e) => setAutoApply(e.target.checked)} />
            Apply the agent's proposals at once
          </label>
        ) : null}
        <Button
          type="submit"
          variant="primary"
          disabled={submit.isPending || !request.trim()}
          style={{ marginLeft: 'auto' }}
        >
          {submit.isPending ? 'Sending…' : 'Send to agent'}
        </Button>
      </div>
      {submit.error ? <ErrorState error={submit.error} title="The request was not accepted" /> : null}
    </form>
  )
}
