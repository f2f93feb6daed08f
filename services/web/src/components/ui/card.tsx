import type { ReactNode } from 'react'
import styles from './ui.module.css'

export function Card({
  title,
  actions,
  children,
  className,
  labelledBy,
}: {
  title?: ReactNode
  actions?: ReactNode
  children: ReactNode
  className?: string
  labelledBy?: string
}) {
  return (
    <section className={[styles.card, className].filter(Boolean).join(' ')} aria-labelledby={labelledBy}>
      {title || actions ? (
        <div className={styles.cardHeader}>
          {title ? (
            <h2 className={styles.cardTitle} id={labelledBy}>
              {title}
            </h2>
          ) : (
            <span />
          )}
          {actions}
        </div>
      ) : null}
      {children}
    </section>
  )
}

export function Stat({ label, value, detail }: { label: string; value: ReactNode; detail?: ReactNode }) {
  return (
    <div className={styles.stat}>
      <span className={styles.statLabel}>{label}</span>
      <span className={styles.statValue}>{value}</span>
      {detail ? <span className={styles.statDetail}>{detail}</span> : null}
    </div>
  )
}
