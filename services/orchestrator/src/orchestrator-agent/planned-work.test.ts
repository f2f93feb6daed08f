import type { Changeset } from '@psa/changesets'
import { describe, expect, it } from 'vitest'
import { summarisePlannedWork } from './planned-work.js'

const ids = {
  project: '00000000-0000-4000-8000-000000000001',
  dev: '00000000-0000-4000-8000-0000000000d1',
  design: '00000000-0000-4000-8000-0000000000d2',
  client: '00000000-0000-4000-8000-0000000000c1',
}
const task = (n: number, values: Record<string, unknown>) => ({
  op: 'insert' as const,
  table: 'tasks',
  values: {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    project_id: ids.project,
    ...values,
  },
})
const roleNames = new Map([
  [ids.dev, 'Senior Developer'],
  [ids.design, 'Designer'],
])

describe('summarisePlannedWork', () => {
  it('sums estimates per role with the days each role works, most hours first, from the project insert', () => {
    const plan: Changeset = {
      version: 1,
      operations: [
        {
          op: 'insert',
          table: 'projects',
          values: {
            id: ids.project,
            name: 'Website Rebuild',
            code: 'WR-2701',
            client_id: ids.client,
            starts_on: '2027-01-05',
            ends_on: '2027-03-26',
          },
        },
        task(1, {
          role_id: ids.design,
          estimate_hours: 60.5,
          starts_on: '2027-01-19',
          ends_on: '2027-02-05',
        }),
        task(2, { role_id: ids.dev, estimate_hours: 200, starts_on: '2027-02-08', ends_on: '2027-03-12' }),
        task(3, {
          role_id: ids.dev,
          estimate_hours: '120.25',
          starts_on: '2027-03-01',
          ends_on: '2027-03-26',
        }),
        task(4, { role_id: ids.design, estimate_hours: 60, starts_on: '2027-01-05', ends_on: '2027-01-15' }),
        task(5, { role_id: null, estimate_hours: 8, starts_on: '2027-01-05', ends_on: '2027-01-06' }),
        task(6, { role_id: ids.dev, estimate_hours: 0 }),
        {
          op: 'insert',
          table: 'milestones',
          values: { id: ids.client, name: 'Go live', due_on: '2027-03-26' },
        },
      ],
    }
    expect(summarisePlannedWork([plan], roleNames)).toEqual({
      project: {
        id: ids.project,
        name: 'Website Rebuild',
        code: 'WR-2701',
        client_id: ids.client,
        starts_on: '2027-01-05',
        ends_on: '2027-03-26',
      },
      starts_on: '2027-01-05',
      ends_on: '2027-03-26',
      roles: [
        {
          role: 'Senior Developer',
          role_id: ids.dev,
          hours: 320.3,
          starts_on: '2027-02-08',
          ends_on: '2027-03-26',
        },
        {
          role: 'Designer',
          role_id: ids.design,
          hours: 120.5,
          starts_on: '2027-01-05',
          ends_on: '2027-02-05',
        },
      ],
      total_hours: 448.8,
      unassigned_hours: 8,
    })
  })

  it('takes the period from the tasks without a project, and names an unknown role by its id', () => {
    const other = '00000000-0000-4000-8000-0000000000e9'
    const work = summarisePlannedWork(
      [
        {
          version: 1,
          operations: [
            task(1, { role_id: other, estimate_hours: 10, starts_on: '2027-02-01', ends_on: '2027-02-10' }),
          ],
        },
        {
          version: 1,
          operations: [
            task(2, { role_id: ids.dev, estimate_hours: 10, starts_on: '2027-01-04', ends_on: '2027-01-08' }),
          ],
        },
      ],
      roleNames,
    )
    expect(work).toMatchObject({
      project: null,
      starts_on: '2027-01-04',
      ends_on: '2027-02-10',
      // Equal hours: by name.
      roles: [{ role: other }, { role: 'Senior Developer' }],
    })
  })

  it('is null for proposals that plan no estimated work (bookings, quotes, updates)', () => {
    const booking: Changeset = {
      version: 1,
      operations: [
        {
          op: 'insert',
          table: 'allocations',
          values: { id: ids.project, person_id: ids.dev, hours_per_week: 20 },
        },
        { op: 'update', table: 'tasks', id: ids.dev, set: { estimate_hours: 50 } },
      ],
    }
    expect(summarisePlannedWork([booking], roleNames)).toBeNull()
    expect(summarisePlannedWork([], roleNames)).toBeNull()
  })
})
