import type { Metadata } from 'next'
import { Composer } from '../../../components/agents/composer'
import { Card } from '../../../components/ui/card'

export const metadata: Metadata = { title: 'Agents' }

export default function AgentsPage() {
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Agents</h1>
          <p>
            Ask the orchestrator or a specialist. Requests queue per agent and stream their thinking live;
            what they change arrives as proposals you apply, reject or revert.
          </p>
        </div>
      </div>
      <Card>
        <Composer />
      </Card>
    </>
  )
}
