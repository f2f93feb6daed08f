import type { Metadata } from 'next'
import { ProjectsList } from '../../../components/projects/projects-list'
import { Prefetch, serverGet } from '../../../lib/prefetch'
import { queries } from '../../../lib/queries'

export const metadata: Metadata = { title: 'Projects' }

export default function ProjectsPage() {
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Projects</h1>
          <p>Every project with its health, budget burn and progress. Sort by any column.</p>
        </div>
      </div>
      <Prefetch queries={[queries.projects(serverGet, { status: 'active' })]}>
        <ProjectsList />
      </Prefetch>
    </>
  )
}
