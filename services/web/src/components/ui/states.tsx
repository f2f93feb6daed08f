'use client'

import type { ReactNode } from 'react'
import { ApiError } from '../../lib/api/http'
import { Button } from './button'
import styles from './ui.module.css'

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className={styles.state}>
      <h3 className={styles.stateTitle}>{title}</h3>
      {children ? <p className={styles.stateText}>{children}</p> : null}
    </div>
  )
}

export function LoadingState({ label = 'Loading…', lines = 3 }: { label?: string; lines?: number }) {
  return (
    <div className={styles.skeleton} role="status" aria-live="polite">
      <span className="visually-hidden">{label}</span>
      {[90, 75, 60, 45, 30].slice(0, lines).map((width) => (
        <div key={width} className={styles.skeletonLine} style={{ width: `${width}%` }} aria-hidden="true" />
      ))}
    </div>
  )
}

/** What went wrong in words, and a way to try again; an unreachable backend is said plainly. */
export function ErrorState({ error, retry, title }: { error: unknown; retry?: () => void; title?: string }) {
  const api = error instanceof ApiError ? error : undefined
  const heading =
    title ??
    (api?.unavailable
      ? 'The backend is unreachable'
      : api?.status === 404
        ? 'Not found'
        : api?.status === 403
          ? 'Not allowed'
          : 'Something went wrong')
  const message = api?.unavailable
    ? `${api.message} Projects, resources, quotes and the agents all go through the API gateway, so they are unavailable until it is back.`
    : error instanceof Error
      ? error.message
      : String(error)
  return (
    <div className={`${styles.state} ${styles.errorState}`} role="alert">
      <h3 className={styles.stateTitle}>{heading}</h3>
      <p className={styles.stateText}>{message}</p>
      {retry ? (
        <Button size="small" onClick={retry}>
          Try again
        </Button>
      ) : null}
    </div>
  )
}

/** Loading, error and empty handling for a query, so every page says the same thing the same way. */
export function QueryState<T>({
  query,
  empty,
  isEmpty,
  children,
  loadingLabel,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown }
  empty?: { title: string; text?: string }
  isEmpty?: (data: T) => boolean
  children: (data: T) => ReactNode
  loadingLabel?: string
}) {
  if (query.isPending) return <LoadingState {...(loadingLabel ? { label: loadingLabel } : {})} />
  if (query.error || query.data === undefined)
    return <ErrorState error={query.error} retry={() => void query.refetch()} />
  if (empty && isEmpty?.(query.data)) return <EmptyState title={empty.title}>{empty.text}</EmptyState>
  return <>{children(query.data)}</>
}
