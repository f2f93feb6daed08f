import type { Metadata } from 'next'
import Link from 'next/link'

export const metadata: Metadata = { title: 'Page not found' }

export default function NotFound() {
  return (
    <main className="site-main">
      <p className="brand">PSA Agents</p>
      <h1>Page not found</h1>
      <p className="lead">
        There is no page at this address. <Link href="/">Go to the dashboard</Link>.
      </p>
    </main>
  )
}
