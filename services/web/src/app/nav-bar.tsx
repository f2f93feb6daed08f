'use client'

import Link from 'next/link'
import { usePathname } from 'next/navigation'
import { activeNavItem, NAV_ITEMS } from './navigation'

export function NavBar() {
  const active = activeNavItem(usePathname())
  return (
    <nav aria-label="Main" className="nav">
      <ul>
        {NAV_ITEMS.map((item) => (
          <li key={item.href}>
            <Link href={item.href} aria-current={item === active ? 'page' : undefined}>
              {item.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  )
}
