import type { NextConfig } from 'next'

// `/api/*` is forwarded to the gateway by the custom server (src/gateway-proxy.ts), not by `rewrites`:
// a rewrite's destination is frozen into the build, and Next's compression buffers Server-Sent Events.
const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
}

export default nextConfig
