import { describe, expect, it } from 'vitest'
import { staleRoots } from './queries'

describe('staleRoots', () => {
  it('maps changed tables to the queries they feed', () => {
    expect(staleRoots(['proposals', 'quotes'])).toEqual(
      new Set(['proposals', 'dashboard', 'quotes', 'quote']),
    )
    expect(staleRoots(['allocations'])).toEqual(new Set(['capacity', 'resource', 'project', 'dashboard']))
  })

  it('makes everything stale for an unknown table or a gap in the feed', () => {
    expect(staleRoots(['*'])).toBeNull()
    expect(staleRoots(['tasks', 'something_new'])).toBeNull()
  })
})
