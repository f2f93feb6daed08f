import type { Metadata } from 'next'
import Link from 'next/link'
import type { ReactNode } from 'react'
import { NavBar } from './nav-bar'
import './globals.css'

export const metadata: Metadata = {
  title: { default: 'PSA Agents', template: '%s · PSA Agents' },
  description: 'Professional services automation where AI agents plan, staff and price projects.',
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="brand">
            PSA Agents
          </Link>
          <NavBar />
        </header>
        <main className="site-main">{children}</main>
      </body>
    </html>
  )
}
