// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { CapacityHeatmap as Heatmap, WeekLoad } from '../../lib/api/types'
import { CapacityHeatmap } from './capacity-heatmap'

afterEach(cleanup)

const week = (starts_on: string, hard: string, soft: string, over: boolean, off = '0.00'): WeekLoad => ({
  starts_on,
  capacity_hours: '40.00',
  time_off_hours: off,
  soft_hours: soft,
  hard_hours: hard,
  logged_hours: '0',
  billable_hours: '0',
  booked_pct: ((Number(hard) + Number(soft)) / 0.4).toFixed(1),
  over_allocated: over,
})

const data: Heatmap = {
  weeks: [
    { starts_on: '2026-11-23', ends_on: '2026-11-29' },
    { starts_on: '2026-11-30', ends_on: '2026-12-06' },
  ],
  people: [
    {
      id: '0c000000-0000-4000-8000-000000000001',
      full_name: 'Priya Raman',
      role: { id: 'r1', name: 'Senior Developer' },
      utilisation_target_pct: '80.00',
      weeks: [week('2026-11-23', '56.00', '0.00', true), week('2026-11-30', '24.00', '16.00', false, '8.00')],
    },
  ],
}

describe('CapacityHeatmap', () => {
  it('marks over-allocation in colour and in words, and tells soft bookings and time off apart', () => {
    render(<CapacityHeatmap data={data} />)
    const over = screen.getByLabelText(
      /week of Nov 23, 2026: 56 h hard booked of 40 h capacity — over-allocated/,
    )
    expect(over.getAttribute('data-over')).toBe('true')
    expect(over.textContent).toContain('140%')
    const next = screen.getByLabelText(/24 h hard and 16 h soft booked of 40 h capacity, 8 h off/)
    expect(next.getAttribute('data-soft')).toBe('true')
    expect(next.getAttribute('data-off')).toBe('true')
    expect(next.getAttribute('data-over')).toBe('false')
    expect(screen.getByRole('link', { name: 'Priya Raman' }).getAttribute('href')).toBe(
      '/resources/0c000000-0000-4000-8000-000000000001',
    )
    expect(screen.getByRole('rowheader', { name: 'Senior Developer' })).toBeTruthy()
  })
})
