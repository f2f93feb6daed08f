'use client'

import Link from 'next/link'
import type { CapacityHeatmap as Heatmap, WeekLoad } from '../../lib/api/types'
import { useFormat } from '../shell/organisation'
import styles from './resources.module.css'

function level(w: WeekLoad): number {
  const pct = Number(w.booked_pct ?? 0)
  return pct <= 0 ? 0 : pct < 50 ? 1 : pct < 85 ? 2 : 3
}

/**
 * People × weeks: how much of each week is booked. Over capacity is red and says so in words; soft
 * (tentative) bookings carry a dashed underline, time off an amber frame. Every cell's numbers are in its label.
 */
export function CapacityHeatmap({ data }: { data: Heatmap }) {
  const fmt = useFormat()
  const roles = [...new Set(data.people.map((p) => p.role.name))]
  return (
    <>
      <div className={styles.legend} aria-hidden="true">
        <span>
          <span className={styles.swatch} style={{ background: '#dbe5fb' }} />
          under 50%
        </span>
        <span>
          <span className={styles.swatch} style={{ background: '#a9c0f2' }} />
          50–85%
        </span>
        <span>
          <span className={styles.swatch} style={{ background: '#2550c9' }} />
          85–100%
        </span>
        <span>
          <span className={styles.swatch} style={{ background: '#b42318' }} />
          over capacity
        </span>
        <span>▁▁ soft (tentative) bookings included</span>
        <span>
          <span className={styles.swatch} style={{ boxShadow: 'inset 0 0 0 2px #8a4f00' }} />
          time off
        </span>
      </div>
      <div style={{ overflowX: 'auto' }}>
        <table className={styles.heatmap}>
          <caption className="visually-hidden">Booked share of capacity per person and week</caption>
          <thead>
            <tr>
              <th scope="col">Person</th>
              {data.weeks.map((w) => (
                <th key={w.starts_on} scope="col">
                  {fmt.date(w.starts_on, 'short')}
                </th>
              ))}
            </tr>
          </thead>
          {roles.map((role) => (
            <tbody key={role}>
              <tr className={styles.roleRow}>
                <th colSpan={data.weeks.length + 1} scope="rowgroup">
                  {role}
                </th>
              </tr>
              {data.people
                .filter((p) => p.role.name === role)
                .map((p) => (
                  <tr key={p.id}>
                    <th scope="row">
                      <Link href={`/resources/${p.id}`}>{p.full_name}</Link>
                    </th>
                    {p.weeks.map((w) => {
                      const soft = Number(w.soft_hours) > 0
                      const label = `${p.full_name}, week of ${fmt.date(w.starts_on)}: ${fmt.hours(w.hard_hours)} hard${soft ? ` and ${fmt.hours(w.soft_hours)} soft` : ''} booked of ${fmt.hours(w.capacity_hours)} capacity${Number(w.time_off_hours) > 0 ? `, ${fmt.hours(w.time_off_hours)} off` : ''}${w.over_allocated ? ' — over-allocated' : ''}`
                      return (
                        <td
                          key={w.starts_on}
                          className={styles.cell}
                          data-level={level(w)}
                          data-over={w.over_allocated}
                          data-soft={soft}
                          data-off={Number(w.time_off_hours) > 0}
                          title={label}
                          aria-label={label}
                        >
                          {w.booked_pct === null ? '—' : `${Math.round(Number(w.booked_pct))}%`}
                          {w.over_allocated ? <span className="visually-hidden"> over-allocated</span> : null}
                        </td>
                      )
                    })}
                  </tr>
                ))}
            </tbody>
          ))}
        </table>
      </div>
    </>
  )
}
