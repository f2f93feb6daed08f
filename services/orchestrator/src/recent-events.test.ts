import { describe, expect, it } from 'vitest'
import { RecentEvents } from './recent-events.js'

describe('RecentEvents', () => {
  it('keeps each session’s events in arrival order until they are older than keepMs', () => {
    const recent = new RecentEvents(1_000, 100)
    recent.add('a', '1', 0)
    recent.add('b', 'x', 10)
    recent.add('a', '2', 500)
    expect(recent.get('a', 600)).toEqual(['1', '2'])
    expect(recent.get('a', 1_001)).toEqual(['2'])
    expect(recent.get('b', 1_001)).toEqual(['x'])
    expect(recent.get('b', 1_011)).toEqual([])
    expect(recent.get('a', 1_501)).toEqual([])
    expect(recent.size).toBe(0)
  })

  it('holds at most maxEvents, dropping the oldest first', () => {
    const recent = new RecentEvents(60_000, 3)
    for (let i = 1; i <= 5; i++) recent.add(i % 2 ? 'odd' : 'even', String(i), i)
    expect(recent.get('odd', 6)).toEqual(['3', '5'])
    expect(recent.get('even', 6)).toEqual(['4'])
    expect(recent.size).toBe(3)
  })

  it('stays bounded over many expiries (the arrival list is compacted)', () => {
    const recent = new RecentEvents(10, 1_000)
    for (let i = 0; i < 20_000; i++) recent.add(`s${i % 7}`, String(i), i)
    expect(recent.size).toBeLessThanOrEqual(11)
    expect(recent.get('s0', 19_999).every((json) => Number(json) >= 19_989)).toBe(true)
  })
})
