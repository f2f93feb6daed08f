import type { Metadata } from 'next'
import { SessionView } from '../../../../components/agents/session-view'
import { Prefetch, serverGet } from '../../../../lib/prefetch'
import { queries } from '../../../../lib/queries'

export const metadata: Metadata = { title: 'Agent session' }

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  return (
    <Prefetch queries={[queries.session(serverGet, id)]}>
      <SessionView sessionId={id} />
    </Prefetch>
  )
}
