import type { Metadata } from 'next'
import { ProjectDetailView } from '../../../../components/projects/project-detail'
import { Prefetch, serverGet } from '../../../../lib/prefetch'
import { queries } from '../../../../lib/queries'

export const metadata: Metadata = { title: 'Project' }

export default async function ProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  return (
    <Prefetch queries={[queries.project(serverGet, id)]}>
      <ProjectDetailView projectId={id} />
    </Prefetch>
  )
}
