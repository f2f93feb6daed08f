import { BackendStatus } from './backend-status'

export default function HomePage() {
  return (
    <>
      <h1>PSA Agents</h1>
      <p className="lead">
        PSA Agents plans, staffs and prices professional-services projects: AI agents draft project plans,
        find the right people and build quotes, and you watch their reasoning live as they work. Nothing an
        agent produces changes your data until a person reviews and applies it.
      </p>
      <BackendStatus />
    </>
  )
}
