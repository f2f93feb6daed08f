import { Counter, FAST_LATENCY_BUCKETS, Gauge, Histogram, type Registry } from '@psa/lifecycle'

/** Every metric the orchestrator exports, registered once per server instance on the given registry. */
export function createOrchestratorMetrics(registry: Registry) {
  const registers = [registry]
  return {
    rpcs: new Counter({
      name: 'psa_orchestrator_grpc_requests_total',
      help: 'AgentService RPCs handled, by method and gRPC status code name',
      labelNames: ['method', 'code'] as const,
      registers,
    }),
    rpcDuration: new Histogram({
      name: 'psa_orchestrator_grpc_request_duration_seconds',
      help: 'Time to answer a unary AgentService RPC (streams: time to end), by method',
      labelNames: ['method'] as const,
      buckets: FAST_LATENCY_BUCKETS,
      registers,
    }),
    admission: new Histogram({
      name: 'psa_orchestrator_admission_duration_seconds',
      help: 'SubmitRequest latency: validation, auth, persisting and enqueueing, by outcome code',
      labelNames: ['code'] as const,
      buckets: FAST_LATENCY_BUCKETS,
      registers,
    }),
    queueDepth: new Gauge({
      name: 'psa_orchestrator_queue_depth',
      help: 'Requests waiting for or held by workers (consumer num_pending + num_ack_pending), by agent type',
      labelNames: ['agent_type'] as const,
      registers,
    }),
    eventsStreamed: new Counter({
      name: 'psa_orchestrator_events_streamed_total',
      help: 'Session events written to StreamSessionEvents clients, by source (replay or live)',
      labelNames: ['source'] as const,
      registers,
    }),
    activeStreams: new Gauge({
      name: 'psa_orchestrator_active_event_streams',
      help: 'StreamSessionEvents calls currently open',
      registers,
    }),
    eventDeliveryLag: new Histogram({
      name: 'psa_orchestrator_event_delivery_lag_seconds',
      help: 'Live events: time from the event being emitted to it being written to a stream client',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    deadLetters: new Counter({
      name: 'psa_orchestrator_dead_letters_total',
      help: 'Requests that exhausted their deliveries and were dead-lettered here, by agent type',
      labelNames: ['agent_type'] as const,
      registers,
    }),
  }
}

export type OrchestratorMetrics = ReturnType<typeof createOrchestratorMetrics>
