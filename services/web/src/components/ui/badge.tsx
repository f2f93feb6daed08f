import type { ReactNode } from 'react'
import styles from './ui.module.css'

export type Tone = 'neutral' | 'good' | 'warn' | 'bad' | 'info' | 'outline'

export function Badge({
  tone = 'neutral',
  children,
  title,
}: {
  tone?: Tone
  children: ReactNode
  title?: string
}) {
  return (
    <span className={`${styles.badge} ${styles[`tone-${tone}`]}`} {...(title ? { title } : {})}>
      {children}
    </span>
  )
}

const HEALTH: Record<string, Tone> = { green: 'good', amber: 'warn', red: 'bad' }
const STATUS: Record<string, Tone> = {
  // sessions
  queued: 'neutral',
  processing: 'info',
  completed: 'good',
  failed: 'bad',
  cancelled: 'neutral',
  // proposals
  pending: 'warn',
  applied: 'good',
  rejected: 'neutral',
  reverted: 'neutral',
  // projects
  active: 'info',
  tentative: 'outline',
  on_hold: 'warn',
  // quotes
  draft: 'neutral',
  pending_approval: 'warn',
  approved: 'good',
  sent: 'info',
  accepted: 'good',
  expired: 'neutral',
}

/** Health as a word and a colour (never colour alone). */
export function HealthBadge({ health }: { health: string }) {
  return (
    <Badge tone={HEALTH[health] ?? 'neutral'}>
      {health === 'amber' ? 'At risk' : health === 'red' ? 'Off track' : 'On track'}
    </Badge>
  )
}

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={STATUS[status] ?? 'neutral'}>{status.replaceAll('_', ' ')}</Badge>
}
