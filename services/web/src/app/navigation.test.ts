import { describe, expect, it } from 'vitest'
import { activeNavItem, type NavItem } from './navigation'

const items: NavItem[] = [
  { href: '/', label: 'Dashboard' },
  { href: '/projects', label: 'Projects' },
]

describe('activeNavItem', () => {
  it('marks the dashboard only on the home page', () => {
    expect(activeNavItem('/', items)?.label).toBe('Dashboard')
    expect(activeNavItem('/unknown', items)).toBeUndefined()
  })

  it('marks a section on its pages but not on lookalike paths', () => {
    expect(activeNavItem('/projects', items)?.label).toBe('Projects')
    expect(activeNavItem('/projects/42/plan', items)?.label).toBe('Projects')
    expect(activeNavItem('/projectsarchive', items)).toBeUndefined()
  })
})
