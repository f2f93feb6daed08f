'use client'

import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { useMemo, useState } from 'react'
import { api } from '../../lib/api/browser'
import type { Resource } from '../../lib/api/types'
import { queries } from '../../lib/queries'
import { useFormat } from '../shell/organisation'
import { Badge } from '../ui/badge'
import { Card } from '../ui/card'
import { type Column, DataTable } from '../ui/data-table'
import { Select } from '../ui/field'
import { QueryState } from '../ui/states'
import { CapacityHeatmap } from './capacity-heatmap'
import styles from './resources.module.css'

export function ResourcesView() {
  const [roleId, setRoleId] = useState('')
  const [skillId, setSkillId] = useState('')
  const fmt = useFormat()
  const everyone = useQuery(queries.resources(api))
  const filter = { ...(roleId ? { role_id: roleId } : {}), ...(skillId ? { skill_id: skillId } : {}) }
  const people = useQuery(queries.resources(api, filter))
  const heatmap = useQuery(queries.capacity(api, filter))
  const roles = useMemo(() => unique((everyone.data ?? []).map((p) => p.role)), [everyone.data])
  const skills = useMemo(
    () =>
      unique((everyone.data ?? []).flatMap((p) => p.skills.map((s) => ({ id: s.skill_id, name: s.name })))),
    [everyone.data],
  )
  const columns = useMemo<Column<Resource>[]>(
    () => [
      {
        accessorKey: 'full_name',
        header: 'Name',
        cell: (c) => <Link href={`/resources/${c.row.original.id}`}>{c.row.original.full_name}</Link>,
      },
      { id: 'role', accessorFn: (p) => p.role.name, header: 'Role' },
      { accessorKey: 'level', header: 'Level', meta: { numeric: true } },
      { id: 'location', accessorFn: (p) => p.location?.name ?? '', header: 'Location' },
      {
        id: 'skills',
        header: 'Top skills',
        enableSorting: false,
        cell: (c) => (
          <span className={styles.skills}>
            {c.row.original.skills.slice(0, 4).map((s) => (
              <Badge key={s.skill_id} tone={s.proficiency >= 4 ? 'info' : 'neutral'}>
                {s.name} {s.proficiency}
              </Badge>
            ))}
          </span>
        ),
      },
      {
        id: 'capacity',
        accessorFn: (p) => Number(p.weekly_capacity_hours),
        header: 'Capacity',
        meta: { numeric: true },
        cell: (c) => `${fmt.hours(c.row.original.weekly_capacity_hours)}/wk`,
      },
      {
        id: 'target',
        accessorFn: (p) => Number(p.utilisation_target_pct),
        header: 'Target',
        meta: { numeric: true },
        cell: (c) => fmt.pct(c.row.original.utilisation_target_pct, 0),
      },
      {
        id: 'bill',
        accessorFn: (p) => Number(p.bill_rate_minor),
        header: 'Bill rate',
        meta: { numeric: true },
        cell: (c) => `${fmt.money(c.row.original.bill_rate_minor)}/h`,
      },
    ],
    [fmt],
  )
  return (
    <div className="stack">
      <div className="filters">
        <Select
          label="Role"
          value={roleId}
          onChange={(e) => setRoleId(e.target.value)}
          options={[{ value: '', label: 'Any role' }, ...roles.map((r) => ({ value: r.id, label: r.name }))]}
        />
        <Select
          label="Skill"
          value={skillId}
          onChange={(e) => setSkillId(e.target.value)}
          options={[
            { value: '', label: 'Any skill' },
            ...skills.map((s) => ({ value: s.id, label: s.name })),
          ]}
        />
      </div>
      <Card title="Capacity, next 12 weeks" labelledBy="capacity">
        <QueryState
          query={heatmap}
          empty={{ title: 'Nobody matches' }}
          isEmpty={(d) => d.people.length === 0}
        >
          {(d) => <CapacityHeatmap data={d} />}
        </QueryState>
      </Card>
      <Card title="People" labelledBy="people">
        <QueryState
          query={people}
          empty={{ title: 'Nobody matches', text: 'Try another role or skill.' }}
          isEmpty={(d) => d.length === 0}
        >
          {(d) => (
            <DataTable
              data={d}
              columns={columns}
              caption="People"
              initialSort={[{ id: 'full_name', desc: false }]}
            />
          )}
        </QueryState>
      </Card>
    </div>
  )
}

function unique(refs: { id: string; name: string }[]): { id: string; name: string }[] {
  return [...new Map(refs.map((r) => [r.id, r])).values()].sort((a, b) => a.name.localeCompare(b.name))
}
