import type { RenderOptions } from './helm.js'

/** A way the chart is installed, rendered and checked offline. */
export interface ValueSet extends RenderOptions {
  name: string
}

/**
 * The value sets the checks render: the defaults (KEDA on), KEDA off (CPU HPAs and fixed replicas), NATS run
 * elsewhere with credentials and its own pipeline namespace, the production example and the kind dev setup.
 */
export const VALUE_SETS: ValueSet[] = [
  { name: 'defaults' },
  { name: 'keda-off', valuesFiles: ['helm/ci/keda-off-values.yaml'] },
  { name: 'external-nats', valuesFiles: ['helm/ci/external-nats-values.yaml'] },
  { name: 'production', valuesFiles: ['k8s/production-values.yaml'] },
  { name: 'kind-dev', valuesFiles: ['k8s/dev-values.yaml'], namespace: 'psa-dev' },
]
