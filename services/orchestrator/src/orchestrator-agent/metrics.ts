import { Counter, Histogram, type Registry, SLOW_LATENCY_BUCKETS } from '@psa/lifecycle'

/** Delegations of the orchestrator agent, registered once per worker on the service's registry. */
export function createDelegationMetrics(registry: Registry) {
  const registers = [registry]
  return {
    delegations: new Counter({
      name: 'psa_orchestrator_delegations_total',
      help: 'Child sessions the orchestrator agent waited on, by specialist and how the wait ended (the child status, or stopped when the parent stopped first)',
      labelNames: ['agent_type', 'outcome', 'reattached'] as const,
      registers,
    }),
    delegationSeconds: new Histogram({
      name: 'psa_orchestrator_delegation_duration_seconds',
      help: 'From delegating (or re-attaching) to the child session finishing, queue wait included, by specialist',
      labelNames: ['agent_type'] as const,
      buckets: SLOW_LATENCY_BUCKETS,
      registers,
    }),
  }
}
export type DelegationMetrics = ReturnType<typeof createDelegationMetrics>
