'use client'

import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import type { Dashboard } from '../../lib/api/types'
import type { Formatter } from '../../lib/format'

/** Billable utilisation of past weeks and booked utilisation of the weeks ahead, against the target. */
export default function UtilisationChart({
  weeks,
  target,
  fmt,
}: {
  weeks: Dashboard['utilisation_by_week']
  target: number | null
  fmt: Formatter
}) {
  const data = weeks.map((w) => ({
    week: fmt.date(w.week_start, 'short'),
    actual: w.past ? Number(w.utilisation_pct ?? 0) : null,
    booked: Number(w.booked_pct ?? 0),
  }))
  return (
    <ResponsiveContainer width="100%" height={240}>
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="week" tick={{ fontSize: 12, fill: '#4f596b' }} />
        <YAxis unit="%" tick={{ fontSize: 12, fill: '#4f596b' }} />
        <Tooltip formatter={(v) => fmt.pct(Number(v))} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="actual" name="Billable (logged)" fill="#2550c9" />
        <Bar dataKey="booked" name="Booked" fill="#9db4ee" />
        {target !== null ? (
          <ReferenceLine
            y={target}
            stroke="#b42318"
            strokeDasharray="4 4"
            label={{ value: 'Target', fontSize: 12, fill: '#b42318' }}
          />
        ) : null}
      </BarChart>
    </ResponsiveContainer>
  )
}
