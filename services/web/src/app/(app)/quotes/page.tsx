import type { Metadata } from 'next'
import { QuotesList } from '../../../components/quotes/quotes-list'
import { Prefetch, serverGet } from '../../../lib/prefetch'
import { queries } from '../../../lib/queries'

export const metadata: Metadata = { title: 'Quotes' }

export default function QuotesPage() {
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Quotes</h1>
          <p>Every quote with its current version's price, cost and margin.</p>
        </div>
      </div>
      <Prefetch queries={[queries.quotes(serverGet)]}>
        <QuotesList />
      </Prefetch>
    </>
  )
}
