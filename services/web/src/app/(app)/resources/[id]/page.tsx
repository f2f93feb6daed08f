import type { Metadata } from 'next'
import { PersonDetailView } from '../../../../components/resources/person-detail'
import { Prefetch, serverGet } from '../../../../lib/prefetch'
import { queries } from '../../../../lib/queries'

export const metadata: Metadata = { title: 'Person' }

export default async function PersonPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  return (
    <Prefetch queries={[queries.resource(serverGet, id)]}>
      <PersonDetailView personId={id} />
    </Prefetch>
  )
}
