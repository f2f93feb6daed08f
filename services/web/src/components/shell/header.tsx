'use client'

import Link from 'next/link'
import { usePathname } from 'next/navigation'
import { activeNavItem, NAV_ITEMS } from '../../app/navigation'
import { usePageSettled } from '../../lib/page-settled'
import { AskAgent } from '../agents/ask-agent'
import { Button } from '../ui/button'
import { LiveChanges } from './live-changes'
import { useOrganisation } from './organisation'

export function Header() {
  const active = activeNavItem(usePathname())
  const { me, organisation } = useOrganisation()
  // The other pages are prefetched once this one has loaded, not while its own data is still streaming in.
  const prefetch = usePageSettled() ? 'auto' : false
  return (
    <header className="site-header">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <Link href="/" className="brand" prefetch={prefetch}>
        PSA Agents
      </Link>
      <nav aria-label="Main" className="nav">
        <ul>
          {NAV_ITEMS.map((item) => (
            <li key={item.href}>
              <Link href={item.href} prefetch={prefetch} aria-current={item === active ? 'page' : undefined}>
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
