/** Browser-facing path that answers with the gateway's own readiness (`GATEWAY_URL/readyz`). */
export const GATEWAY_READINESS_PATH = '/gateway/readyz'

/** True for the paths the web server forwards to the gateway instead of handing to Next.js. */
export function isGatewayPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path === GATEWAY_READINESS_PATH
}
