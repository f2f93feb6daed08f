'use client'

import Link from 'next/link'
import { usePathname } from 'next/navigation'
import { activeNavItem, NAV_ITEMS } from '../../app/navigation'
import { AskAgent } from '../agents/ask-agent'
import { Button } from '../ui/button'
import { LiveChanges } from './live-changes'
import { useOrganisation } from './organisation'

export function Header() {
  const active = activeNavItem(usePathname())
  const { me, organisation } = useOrganisation()
  return (
    <header className="site-header">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <Link href="/" className="brand">
        PSA Agents
      </Link>
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
      <div className="header-end">
        <AskAgent />
        {organisation ? (
          <span className="header-user">
            {organisation.name} · {me?.user.email} ({organisation.role})
          </span>
        ) : null}
        <form action="/auth/sign-out" method="post">
          <Button type="submit" size="small" variant="ghost">
            Sign out
          </Button>
        </form>
      </div>
      <LiveChanges organisationId={organisation?.id} />
    </header>
  )
}
