// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { ApiError } from '../../lib/api/http'
import { type Column, DataTable } from './data-table'
import { ErrorState } from './states'

afterEach(cleanup)

interface Row {
  code: string
  budget: number
}
const columns: Column<Row>[] = [
  { accessorKey: 'code', header: 'Code' },
  { accessorKey: 'budget', header: 'Budget', meta: { numeric: true } },
]

describe('DataTable', () => {
  it('sorts by a header’s button and says how it is sorted', () => {
    render(
      <DataTable
        data={[
          { code: 'NW-2', budget: 5 },
          { code: 'NW-1', budget: 9 },
        ]}
        columns={columns}
        caption="Projects"
        initialSort={[{ id: 'code', desc: false }]}
      />,
    )
    const table = screen.getByRole('table', { name: 'Projects' })
    const cells = () =>
      within(table)
        .getAllByRole('cell')
        .map((c) => c.textContent)
    expect(cells()).toEqual(['NW-1', '9', 'NW-2', '5'])
    expect(screen.getByRole('columnheader', { name: /Code/ }).getAttribute('aria-sort')).toBe('ascending')
    fireEvent.click(screen.getByRole('button', { name: /Budget/ }))
    const budget = screen.getByRole('columnheader', { name: /Budget/ })
    expect(budget.getAttribute('aria-sort')).not.toBeNull()
    expect(cells()[0]).toBe(budget.getAttribute('aria-sort') === 'ascending' ? 'NW-2' : 'NW-1')
  })
})

describe('ErrorState', () => {
  it('says plainly that the backend is unreachable, and offers a retry', () => {
    let retried = 0
    render(
      <ErrorState
        error={new ApiError(503, 'UNAVAILABLE', 'The API gateway is not reachable')}
        retry={() => (retried += 1)}
      />,
    )
    const alert = screen.getByRole('alert')
    expect(within(alert).getByRole('heading').textContent).toBe('The backend is unreachable')
    expect(alert.textContent).toContain('The API gateway is not reachable')
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }))
    expect(retried).toBe(1)
  })
})
