'use client'

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { Formatter } from '../../lib/format'

/** Budget burnt against work done, per project: burn running ahead of completion is the warning sign. */
export default function BurnChart({
  projects,
  fmt,
}: {
  projects: { code: string; burn_pct: string | null; percent_complete: string | null }[]
  fmt: Formatter
}) {
  const data = projects.map((p) => ({
    project: p.code,
    burn: Number(p.burn_pct ?? 0),
    complete: Number(p.percent_complete ?? 0),
  }))
  return (
    <ResponsiveContainer width="100%" height={Math.max(160, 48 * data.length + 60)}>
      <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" unit="%" tick={{ fontSize: 12, fill: '#4f596b' }} />
        <YAxis type="category" dataKey="project" width={64} tick={{ fontSize: 12, fill: '#4f596b' }} />
        <Tooltip formatter={(v) => fmt.pct(Number(v))} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="burn" name="Budget used" fill="#b42318" />
        <Bar dataKey="complete" name="Work done" fill="#17703f" />
      </BarChart>
    </ResponsiveContainer>
  )
}
