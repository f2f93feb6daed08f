import { Counter, Gauge, Histogram, type Registry, SLOW_LATENCY_BUCKETS } from '@psa/lifecycle'

/** The worker's Prometheus series; every one carries the agent type so one dashboard serves all agents. */
export interface RuntimeMetrics {
  /** Seconds from a delivery's arrival to its outcome, by outcome. */
  processingSeconds: Histogram<'agent_type' | 'outcome'>
  /** Deliveries handled, by what happened to the message (ack, nak, term) and why. */
  messages: Counter<'agent_type' | 'action' | 'reason'>
  /** Session events published, by type. */
  events: Counter<'agent_type' | 'type'>
  /** Sessions that failed, by error code (including transient failures that were retried). */
  failures: Counter<'agent_type' | 'code'>
  inFlight: Gauge<'agent_type'>
  /** Model tokens, by direction. */
  tokens: Counter<'agent_type' | 'direction'>
  /** Tool calls, by tool and whether they succeeded. */
  toolCalls: Counter<'agent_type' | 'tool' | 'ok'>
  /** Proposals of auto-apply requests, by how the apply ended (applied, forbidden, failed, ...). */
  autoApply: Counter<'agent_type' | 'outcome'>
}

/** The registry's metric of that name if one exists (a second worker in one process shares it), else `create()`. */
function reuse<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create()
}

export function createRuntimeMetrics(registry: Registry): RuntimeMetrics {
  const registers = [registry]
  return {
    processingSeconds: reuse(
      registry,
      'psa_agent_processing_seconds',
      () =>
        new Histogram({
          name: 'psa_agent_processing_seconds',
          help: 'Time from receiving an agent request to its outcome',
          labelNames: ['agent_type', 'outcome'],
          buckets: SLOW_LATENCY_BUCKETS,
          registers,
        }),
    ),
    messages: reuse(
      registry,
      'psa_agent_messages_total',
      () =>
        new Counter({
          name: 'psa_agent_messages_total',
          help: 'Queue deliveries handled by the worker, by acknowledgement',
          labelNames: ['agent_type', 'action', 'reason'],
          registers,
        }),
    ),
    events: reuse(
      registry,
      'psa_agent_events_total',
      () =>
        new Counter({
          name: 'psa_agent_events_total',
          help: 'Session events published',
          labelNames: ['agent_type', 'type'],
          registers,
        }),
    ),
    failures: reuse(
      registry,
      'psa_agent_failures_total',
      () =>
        new Counter({
          name: 'psa_agent_failures_total',
          help: 'Agent request failures by error code (transient ones were retried)',
          labelNames: ['agent_type', 'code'],
          registers,
        }),
    ),
    inFlight: reuse(
      registry,
      'psa_agent_in_flight',
      () =>
        new Gauge({
          name: 'psa_agent_in_flight',
          help: 'Agent requests being processed by this worker',
          labelNames: ['agent_type'],
          registers,
        }),
    ),
    tokens: reuse(
      registry,
      'psa_agent_tokens_total',
      () =>
        new Counter({
          name: 'psa_agent_tokens_total',
          help: 'Model tokens used',
          labelNames: ['agent_type', 'direction'],
          registers,
        }),
    ),
    toolCalls: reuse(
      registry,
      'psa_agent_tool_calls_total',
      () =>
        new Counter({
          name: 'psa_agent_tool_calls_total',
          help: 'Tool calls made by agents',
          labelNames: ['agent_type', 'tool', 'ok'],
          registers,
        }),
    ),
    autoApply: reuse(
      registry,
      'psa_agent_auto_apply_total',
      () =>
        new Counter({
          name: 'psa_agent_auto_apply_total',
          help: 'Proposals of auto-apply requests, by how the apply ended',
          labelNames: ['agent_type', 'outcome'],
          registers,
        }),
    ),
  }
}
