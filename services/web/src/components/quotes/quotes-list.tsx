'use client'

import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { useMemo, useState } from 'react'
import { api } from '../../lib/api/browser'
import type { Quote } from '../../lib/api/types'
import { queries } from '../../lib/queries'
import { useFormat } from '../shell/organisation'
import { StatusBadge } from '../ui/badge'
import { type Column, DataTable } from '../ui/data-table'
import { ListFilters } from '../ui/list-filters'
import { QueryState } from '../ui/states'

const STATUSES = ['', 'draft', 'pending_approval', 'approved', 'sent', 'accepted', 'rejected', 'expired']

export function QuotesList() {
  const query = useQuery(queries.quotes(api))
  const fmt = useFormat()
  const [status, setStatus] = useState('')
  const [search, setSearch] = useState('')
  const columns = useMemo<Column<Quote>[]>(
    () => [
      {
        accessorKey: 'title',
        header: 'Quote',
        cell: (c) => <Link href={`/quotes/${c.row.original.id}`}>{c.row.original.title}</Link>,
      },
      { id: 'client', accessorFn: (q) => q.client.name, header: 'Client' },
      {
        accessorKey: 'status',
        header: 'Status',
        cell: (c) => <StatusBadge status={c.row.original.status} />,
      },
      {
        accessorKey: 'current_version',
        header: 'Version',
        meta: { numeric: true },
        cell: (c) => `v${c.row.original.current_version}`,
      },
      {
        id: 'price',
        accessorFn: (q) => Number(q.price_minor ?? 0),
        header: 'Price',
        meta: { numeric: true },
        cell: (c) => fmt.money(c.row.original.price_minor),
      },
      {
        id: 'cost',
        accessorFn: (q) => Number(q.cost_minor ?? 0),
        header: 'Cost',
        meta: { numeric: true },
        cell: (c) => fmt.money(c.row.original.cost_minor),
      },
      {
        id: 'margin',
        accessorFn: (q) => Number(q.margin_pct ?? -1),
        header: 'Margin',
        meta: { numeric: true },
        cell: (c) => fmt.pct(c.row.original.margin_pct),
      },
      {
        accessorKey: 'valid_until',
        header: 'Valid until',
        cell: (c) => fmt.date(c.row.original.valid_until),
      },
      { accessorKey: 'created_at', header: 'Created', cell: (c) => fmt.date(c.row.original.created_at) },
    ],
    [fmt],
  )
  return (
    <>
      <ListFilters
        search={search}
        onSearch={setSearch}
        placeholder="Title or client"
        status={status}
        onStatus={setStatus}
        statuses={STATUSES}
      />
      <QueryState
        query={query}
        empty={{ title: 'No quotes yet', text: 'Ask the quotes agent to draft one.' }}
        isEmpty={(d) => d.length === 0}
      >
        {(quotes) => {
          const term = search.trim().toLowerCase()
          const rows = quotes.filter(
            (q) =>
              (!status || q.status === status) &&
              (!term || `${q.title} ${q.client.name}`.toLowerCase().includes(term)),
          )
          return (
            <DataTable
              data={rows}
              columns={columns}
              caption="Quotes"
              initialSort={[{ id: 'created_at', desc: true }]}
            />
          )
        }}
      </QueryState>
    </>
  )
}
