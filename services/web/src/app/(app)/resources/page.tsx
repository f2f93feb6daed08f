import type { Metadata } from 'next'
import { ResourcesView } from '../../../components/resources/resources-view'
import { Prefetch, serverGet } from '../../../lib/prefetch'
import { queries } from '../../../lib/queries'

export const metadata: Metadata = { title: 'Resources' }

export default function ResourcesPage() {
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Resources</h1>
          <p>Who is booked when, who has room, and who is over capacity.</p>
        </div>
      </div>
      <Prefetch queries={[queries.resources(serverGet), queries.capacity(serverGet)]}>
        <ResourcesView />
      </Prefetch>
    </>
  )
}
