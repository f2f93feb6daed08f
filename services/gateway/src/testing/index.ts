// What other packages' tests start the gateway with (`@psa/gateway/testing`).
export {
  type GatewayHarness,
  type HarnessOptions,
  type JsonBody,
  startGatewayHarness,
  TEST_ENV,
} from './harness.js'
