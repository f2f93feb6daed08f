import type { ReactNode } from 'react'
import { Header } from '../../components/shell/header'
import { Providers } from '../../components/shell/providers'
import { chosenOrganisation } from '../../lib/auth/access-token'
import { Prefetch, serverGet } from '../../lib/prefetch'
import { queries } from '../../lib/queries'

// Every page here shows the signed-in user's data: rendered per request, never prerendered.
export const dynamic = 'force-dynamic'

export default async function SignedInLayout({ children }: { children: ReactNode }) {
  return (
    <Providers chosenOrganisation={await chosenOrganisation()}>
      <Prefetch queries={[queries.me(serverGet)]}>
        <Header />
        <main id="main" className="site-main">
          {children}
        </main>
      </Prefetch>
    </Providers>
  )
}
