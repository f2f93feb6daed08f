'use client'

import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { useMemo, useState } from 'react'
import { api } from '../../lib/api/browser'
import type { ProjectListItem } from '../../lib/api/types'
import { queries } from '../../lib/queries'
import { useFormat } from '../shell/organisation'
import { HealthBadge, StatusBadge } from '../ui/badge'
import { type Column, DataTable } from '../ui/data-table'
import { Select } from '../ui/field'
import { ListFilters } from '../ui/list-filters'
import { QueryState } from '../ui/states'

const STATUSES = ['', 'active', 'tentative', 'on_hold', 'completed', 'cancelled']
const HEALTHS = ['', 'green', 'amber', 'red']

export function ProjectsList() {
  const [status, setStatus] = useState('active')
  const [health, setHealth] = useState('')
  const [search, setSearch] = useState('')
  const query = useQuery(
    queries.projects(api, { ...(status ? { status } : {}), ...(health ? { health } : {}) }),
  )
  const fmt = useFormat()
  const columns = useMemo<Column<ProjectListItem>[]>(
    () => [
      {
        accessorKey: 'code',
        header: 'Code',
        cell: (c) => <Link href={`/projects/${c.row.original.id}`}>{c.row.original.code}</Link>,
      },
      {
        accessorKey: 'name',
        header: 'Project',
        cell: (c) => <Link href={`/projects/${c.row.original.id}`}>{c.row.original.name}</Link>,
      },
      { id: 'client', accessorFn: (p) => p.client.name, header: 'Client' },
      {
        accessorKey: 'status',
        header: 'Status',
        cell: (c) => <StatusBadge status={c.row.original.status} />,
      },
      {
        accessorKey: 'health',
        header: 'Health',
        sortingFn: (a, b) =>
          ['green', 'amber', 'red'].indexOf(a.original.health) -
          ['green', 'amber', 'red'].indexOf(b.original.health),
        cell: (c) => (
          <span title={c.row.original.health_reasons.map((r) => r.message).join('\n') || undefined}>
            <HealthBadge health={c.row.original.health} />
            {c.row.original.health_reasons.length > 0 ? (
              <span className="muted small"> {c.row.original.health_reasons.length} issue(s)</span>
            ) : null}
          </span>
        ),
      },
      {
        id: 'budget',
        accessorFn: (p) => Number(p.budget_minor ?? 0),
        header: 'Budget',
        meta: { numeric: true },
        cell: (c) => fmt.money(c.row.original.budget_minor, { compact: true }),
      },
      {
        id: 'burn',
        accessorFn: (p) => Number(p.burn_pct ?? -1),
        header: 'Burn',
        meta: { numeric: true },
        cell: (c) => fmt.pct(c.row.original.burn_pct),
      },
      {
        id: 'done',
        accessorFn: (p) => Number(p.percent_complete ?? -1),
        header: 'Done',
        meta: { numeric: true },
        cell: (c) => fmt.pct(c.row.original.percent_complete),
      },
      { accessorKey: 'starts_on', header: 'Starts', cell: (c) => fmt.date(c.row.original.starts_on) },
      { accessorKey: 'ends_on', header: 'Ends', cell: (c) => fmt.date(c.row.original.ends_on) },
      { id: 'manager', accessorFn: (p) => p.manager?.full_name ?? '', header: 'Manager' },
    ],
    [fmt],
  )
  return (
    <>
      <ListFilters
        search={search}
        onSearch={setSearch}
        placeholder="Name, code or client"
        status={status}
        onStatus={setStatus}
        statuses={STATUSES}
      >
        <Select
          label="Health"
          value={health}
          onChange={(e) => setHealth(e.target.value)}
          options={HEALTHS.map((h) => ({ value: h, label: h || 'Any' }))}
        />
      </ListFilters>
      <QueryState
        query={query}
        empty={{ title: 'No projects match', text: 'Try another status or health.' }}
        isEmpty={(d) => d.length === 0}
      >
        {(projects) => {
          const term = search.trim().toLowerCase()
          const rows = term
            ? projects.filter((p) => `${p.code} ${p.name} ${p.client.name}`.toLowerCase().includes(term))
            : projects
          return (
            <DataTable
              data={rows}
              columns={columns}
              caption="Projects"
              initialSort={[{ id: 'code', desc: false }]}
            />
          )
        }}
      </QueryState>
    </>
  )
}
