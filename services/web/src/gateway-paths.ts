/** Browser-facing path that answers with the gateway's own readiness (`GATEWAY_URL/readyz`). */
export const GATEWAY_READINESS_PATH = '/gateway/readyz'

/** True for the paths the web server forwards to the gateway instead of handing to Next.js. */
export function isGatewayPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path === GATEWAY_READINESS_PATH
}

const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i

/**
 * Paths with `.` or `..` segments (plain or percent-encoded) are refused rather than forwarded: the gateway
 * or anything behind it might resolve `/api/../metrics` to a route outside `/api`.
 */
export function hasDotSegment(path: string): boolean {
  return DOT_SEGMENT.test(path)
}
