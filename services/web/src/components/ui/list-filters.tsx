import type { ReactNode } from 'react'
import { Select, TextInput } from './field'

/** A list page's search box and status filter ("" = any status), with room for more filters. */
export function ListFilters({
  search,
  onSearch,
  placeholder,
  status,
  onStatus,
  statuses,
  children,
}: {
  search: string
  onSearch: (value: string) => void
  placeholder: string
  status: string
  onStatus: (value: string) => void
  statuses: readonly string[]
  children?: ReactNode
}) {
  return (
    <search className="filters">
      <TextInput
        label="Search"
        type="search"
        value={search}
        onChange={(e) => onSearch(e.target.value)}
        placeholder={placeholder}
      />
      <Select
        label="Status"
        value={status}
        onChange={(e) => onStatus(e.target.value)}
        options={statuses.map((s) => ({ value: s, label: s ? s.replaceAll('_', ' ') : 'Any' }))}
      />
      {children}
    </search>
  )
}
