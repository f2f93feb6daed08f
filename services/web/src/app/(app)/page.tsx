import { DashboardView } from '../../components/dashboard/dashboard-view'
import { Prefetch, serverGet } from '../../lib/prefetch'
import { queries } from '../../lib/queries'

export default function DashboardPage() {
  return (
    <Prefetch queries={[queries.dashboard(serverGet)]}>
      <DashboardView />
    </Prefetch>
  )
}
