'use client'

import { useCallback, useEffect, useRef, useState } from 'react'
import { type BackendHealth, fetchBackendHealth } from './backend-health'
import styles from './backend-status.module.css'

const POLL_INTERVAL_MS = 15_000
const REQUEST_TIMEOUT_MS = 5_000

type Status = { health: BackendHealth; checkedAt: Date } | undefined

const HEADLINES: Record<BackendHealth['state'], string> = {
  ready: 'The backend is up',
  not_ready: 'The backend is running but not ready',
  unreachable: 'The backend is unreachable',
}

export function BackendStatus() {
  const [status, setStatus] = useState<Status>(undefined)
  const [checking, setChecking] = useState(false)
  const inFlight = useRef<AbortController | undefined>(undefined)

  const check = useCallback(async () => {
    inFlight.current?.abort()
    const controller = new AbortController()
    inFlight.current = controller
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS)
    setChecking(true)
    const health = await fetchBackendHealth(controller.signal)
    clearTimeout(timer)
    // A newer check (or unmount) superseded this one.
    if (inFlight.current !== controller) return
    inFlight.current = undefined
    setStatus({ health, checkedAt: new Date() })
    setChecking(false)
  }, [])

  useEffect(() => {
    void check()
    const interval = setInterval(() => void check(), POLL_INTERVAL_MS)
    return () => {
      clearInterval(interval)
      const pending = inFlight.current
      inFlight.current = undefined
      pending?.abort()
    }
  }, [check])

  const health = status?.health
  return (
    <section className={styles.card} aria-labelledby="backend-status-title">
      <div className={styles.header}>
        <h2 id="backend-status-title" className={styles.title}>
          Backend status
        </h2>
        <button type="button" className={styles.button} onClick={() => void check()} disabled={checking}>
          {checking ? 'Checking…' : 'Check now'}
        </button>
      </div>
      <div role="status" aria-live="polite">
        {health === undefined ? (
          <p className={styles.headline}>Checking the backend…</p>
        ) : (
          <>
            <p className={styles.headline} data-state={health.state}>
              <span className={styles.dot} aria-hidden="true" />
              {HEADLINES[health.state]}
            </p>
            {health.state === 'unreachable' ? (
              <p className={styles.detail}>
                {health.reason}. Projects, resources, quotes and the agents all go through the API gateway, so
                they are unavailable until it is back.
              </p>
            ) : (
              <ul className={styles.checks}>
                {health.checks.map((c) => (
                  <li key={c.name} data-ok={c.ok}>
                    <span className={styles.checkName}>{c.name}</span>
                    {c.ok ? 'ok' : `failing${c.error ? `: ${c.error}` : ''}`}
                  </li>
                ))}
              </ul>
            )}
            <p className={styles.checkedAt}>Last checked {status?.checkedAt.toLocaleTimeString()}</p>
          </>
        )}
      </div>
    </section>
  )
}
