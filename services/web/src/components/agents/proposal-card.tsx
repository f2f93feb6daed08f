'use client'

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api } from '../../lib/api/browser'
import type { Proposal, ProposalDiff } from '../../lib/api/types'
import { humanize } from '../../lib/format'
import { queries } from '../../lib/queries'
import { useFormat, useOrganisation } from '../shell/organisation'
import { StatusBadge } from '../ui/badge'
import { Button } from '../ui/button'
import { Card } from '../ui/card'
import { ErrorState, QueryState } from '../ui/states'
import { useToast } from '../ui/toast'
import uiStyles from '../ui/ui.module.css'
import styles from './agents.module.css'
import { formatValue } from './result-view'

const ACTIONS = {
  apply: { label: 'Apply', done: 'Applied', when: ['pending', 'failed'] },
  reject: { label: 'Reject', done: 'Rejected', when: ['pending', 'failed'] },
  revert: { label: 'Revert', done: 'Reverted', when: ['applied'] },
} as const

/** A proposal: what it changes as a readable diff, and Apply / Reject / Revert for those allowed to decide. */
export function ProposalCard({ proposal }: { proposal: Proposal }) {
  const { canDecide } = useOrganisation()
  const toast = useToast()
  const queryClient = useQueryClient()
  const diff = useQuery(queries.proposalDiff(api, proposal.id))
  const decide = useMutation({
    mutationFn: (action: keyof typeof ACTIONS) =>
      api<Proposal>(`/api/proposals/${proposal.id}/${action}`, {
        method: 'POST',
        body: { expected_version: proposal.version },
      }),
    onSuccess: (_p, action) => {
      toast({ title: `${ACTIONS[action].done}: ${proposal.title}`, tone: 'good' })
      // The change feed refreshes other pages; this one answers at once.
      void queryClient.invalidateQueries({ queryKey: ['proposals'] })
    },
    onError: (error, action) => {
      toast({
        title: `Could not ${action} “${proposal.title}”`,
        text: error instanceof Error ? error.message : String(error),
        tone: 'bad',
      })
      void queryClient.invalidateQueries({ queryKey: ['proposals'] })
    },
  })
  const available = (Object.keys(ACTIONS) as (keyof typeof ACTIONS)[]).filter((a) =>
    (ACTIONS[a].when as readonly string[]).includes(proposal.status),
  )
  return (
    <Card
      title={proposal.title}
      labelledBy={`proposal-${proposal.id}`}
      actions={<StatusBadge status={proposal.status} />}
    >
      {proposal.summary ? <p style={{ marginTop: 0 }}>{proposal.summary}</p> : null}
      {proposal.error ? (
        <ErrorState error={new Error(proposal.error.message)} title="The last apply failed" />
      ) : null}
      <QueryState query={diff}>{(d) => <DiffView diff={d} />}</QueryState>
      {available.length > 0 ? (
        <div className="row" style={{ marginTop: '0.75rem' }}>
          {canDecide ? (
            available.map((a) => (
              <Button
                key={a}
                variant={a === 'apply' ? 'primary' : a === 'reject' ? 'danger' : 'secondary'}
                disabled={decide.isPending}
                onClick={() => decide.mutate(a)}
              >
                {ACTIONS[a].label}
              </Button>
            ))
          ) : (
            <span className="muted small">Managers and above decide on proposals.</span>
          )}
        </div>
      ) : null}
    </Card>
  )
}

function DiffView({ diff }: { diff: ProposalDiff }) {
  const fmt = useFormat()
  const show = (column: string, value: unknown, label: string | null) =>
    label ? label : formatValue(column, value, fmt)
  return (
    <div className="stack" style={{ gap: '0.6rem' }}>
      {diff.operations.map((op) => (
        <div key={`${op.op}-${op.id}`}>
          <p style={{ margin: '0 0 0.25rem' }}>
            <span className={styles.op}>{op.op}</span> {humanize(op.table).toLowerCase()}{' '}
            <strong>{op.label}</strong>
          </p>
          <div className={uiStyles.tableWrap}>
            <table className={`${uiStyles.table} ${styles.diffTable}`}>
              <thead>
                <tr>
                  <th scope="col">Field</th>
                  <th scope="col">Before</th>
                  <th scope="col">After</th>
                </tr>
              </thead>
              <tbody>
                {op.changes.map((c) => (
                  <tr key={c.column}>
                    <th scope="row">{humanize(c.column.replace(/_id$/, ''))}</th>
                    <td className={op.op !== 'insert' ? styles.before : undefined}>
                      {op.op === 'insert' ? '—' : show(c.column, c.before, c.before_label)}
                    </td>
                    <td className={op.op !== 'delete' ? styles.after : undefined}>
                      {op.op === 'delete' ? '—' : show(c.column, c.after, c.after_label)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ))}
      <p className="muted small" style={{ margin: 0 }}>
        {diff.before_from === 'revert_changeset'
          ? '“Before” is what the apply replaced.'
          : '“Before” is the data as it is now.'}
      </p>
    </div>
  )
}
