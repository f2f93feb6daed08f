export interface NavItem {
  href: string
  label: string
}

/**
 * The top navigation. An entry is added here in the same change that adds its page (Projects, Resources,
 * Quotes, Agents), so the bar never links to a route that does not exist.
 */
export const NAV_ITEMS: readonly NavItem[] = [
  { href: '/', label: 'Dashboard' },
  { href: '/projects', label: 'Projects' },
  { href: '/resources', label: 'Resources' },
  { href: '/quotes', label: 'Quotes' },
  { href: '/agents', label: 'Agents' },
]

/** The item for a path: exact match for the home page, prefix match for sections (`/projects/42`). */
export function activeNavItem(pathname: string, items: readonly NavItem[] = NAV_ITEMS): NavItem | undefined {
  return items.find((item) =>
    item.href === '/' ? pathname === '/' : pathname === item.href || pathname.startsWith(`${item.href}/`),
  )
}
