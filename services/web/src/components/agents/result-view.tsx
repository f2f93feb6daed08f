'use client'

import Link from 'next/link'
import type { ReactNode } from 'react'
import { type Formatter, humanize } from '../../lib/format'
import { useFormat } from '../shell/organisation'
import styles from '../ui/ui.module.css'

const LINKS: Record<string, (id: string) => string> = {
  project_id: (id) => `/projects/${id}`,
  quote_id: (id) => `/quotes/${id}`,
  person_id: (id) => `/resources/${id}`,
  session_id: (id) => `/agents/${id}`,
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** One value, formatted by what its key says it is (money in minor units, a percentage, a date, an id). */
export function formatValue(key: string, value: unknown, fmt: Formatter, currency?: string): ReactNode {
  if (value === null || value === undefined || value === '') return '—'
  if (typeof value === 'boolean') return value ? 'Yes' : 'No'
  if (typeof value === 'string' && UUID.test(value)) {
    const link = LINKS[key]
    return link ? <Link href={link(value)}>Open</Link> : <span className="mono">{value.slice(0, 8)}</span>
  }
  if ((typeof value === 'number' || typeof value === 'string') && /(^|_)minor$/.test(key)) {
    return currency && currency !== fmt.currency
      ? `${fmt.number(Number(value) / 100, 2)} ${currency}`
      : fmt.money(value)
  }
  if ((typeof value === 'number' || typeof value === 'string') && /_pct$/.test(key)) return fmt.pct(value)
  if ((typeof value === 'number' || typeof value === 'string') && /(^|_)hours(_|$)/.test(key))
    return fmt.hours(value)
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return fmt.date(value)
  if (typeof value === 'number') return fmt.number(value, 2)
  if (typeof value === 'string') return value
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) return value.join(', ')
  return <ResultView value={value} depth={1} />
}

const isRecordArray = (v: unknown): v is Record<string, unknown>[] =>
  Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x))

/**
 * An agent's structured result as a person reads it: its figures as a card of labelled values, lists of
 * records as tables; never raw JSON.
 */
export function ResultView({ value, depth = 0 }: { value: unknown; depth?: number }) {
  const fmt = useFormat()
  if (value === null || value === undefined) return <p className="muted">No structured result.</p>
  if (isRecordArray(value)) return <RecordTable rows={value} fmt={fmt} />
  if (typeof value !== 'object' || Array.isArray(value)) return <>{formatValue('', value, fmt)}</>
  const record = value as Record<string, unknown>
  const currency = typeof record.currency === 'string' ? record.currency : undefined
  const scalars = Object.entries(record).filter(([k, v]) => !isRecordArray(v) && k !== 'currency')
  const tables = Object.entries(record).filter(([, v]) => isRecordArray(v))
  if (depth > 2) return <span className="muted">…</span>
  return (
    <div className="stack" style={{ gap: '0.75rem' }}>
      {scalars.length > 0 ? (
        <dl className="facts">
          {scalars.map(([k, v]) => (
            <div key={k} style={{ display: 'contents' }}>
              <dt>{humanize(k)}</dt>
              <dd>{formatValue(k, v, fmt, currency)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {tables.map(([k, rows]) => (
        <div key={k}>
          <h4 style={{ margin: '0 0 0.3rem' }}>{humanize(k)}</h4>
          <RecordTable rows={rows as Record<string, unknown>[]} fmt={fmt} currency={currency} />
        </div>
      ))}
    </div>
  )
}

function RecordTable({
  rows,
  fmt,
  currency,
}: {
  rows: Record<string, unknown>[]
  fmt: Formatter
  currency?: string | undefined
}) {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].slice(0, 8)
  return (
    <div className={styles.tableWrap}>
      <table className={styles.table}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {humanize(c)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, 50).map((row, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: result rows have no identity of their own
            <tr key={i}>
              {columns.map((c) => (
                <td key={c}>{formatValue(c, row[c], fmt, currency)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
