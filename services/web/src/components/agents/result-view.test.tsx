// @vitest-environment happy-dom
import { cleanup, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { ResultView } from './result-view'

afterEach(cleanup)

describe('ResultView', () => {
  it('shows an agent’s figures as labelled, formatted values and its lists as tables, never raw JSON', () => {
    render(
      <ResultView
        value={{
          currency: 'USD',
          price_minor: 3657500,
          margin_pct: 31.25,
          meets_target_margin: true,
          quote_id: '0a000000-0000-4000-8000-0000000000aa',
          lines: [
            { role: 'Senior Developer', expected_hours: 200, bill_rate_minor: 17500 },
            { role: 'Designer', expected_hours: 80, bill_rate_minor: 14500 },
          ],
        }}
      />,
    )
    expect(screen.getByText('Price').nextElementSibling?.textContent).toBe('$36,575.00')
    expect(screen.getByText('Margin %').nextElementSibling?.textContent).toBe('31.3%')
    expect(screen.getByText('Meets target margin').nextElementSibling?.textContent).toBe('Yes')
    expect(screen.getByRole('link', { name: 'Open' }).getAttribute('href')).toBe(
      '/quotes/0a000000-0000-4000-8000-0000000000aa',
    )
    const table = screen.getByRole('table')
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['Role', 'Expected hours', 'Bill rate'])
    expect(within(table).getByText('$175.00')).toBeTruthy()
    expect(within(table).getByText('200 h')).toBeTruthy()
    expect(document.body.textContent).not.toContain('{')
  })

  it('says when there is no structured result', () => {
    render(<ResultView value={null} />)
    expect(screen.getByText('No structured result.')).toBeTruthy()
  })
})
