import type { Metadata } from 'next'
import { QuoteDetailView } from '../../../../components/quotes/quote-detail'
import { Prefetch, serverGet } from '../../../../lib/prefetch'
import { queries } from '../../../../lib/queries'

export const metadata: Metadata = { title: 'Quote' }

export default async function QuotePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  return (
    <Prefetch queries={[queries.quote(serverGet, id)]}>
      <QuoteDetailView quoteId={id} />
    </Prefetch>
  )
}
