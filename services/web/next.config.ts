import type { NextConfig } from 'next'

// `/api/*` is forwarded to the gateway by the custom server (src/gateway-proxy.ts), not by `rewrites`:
// a rewrite's destination is frozen into the build, and Next's compression buffers Server-Sent Events.
const nextConfig: NextConfig = {
  // The container build (services/web/Dockerfile) asks for the standalone output: the server and only the
  // files it needs, in .next/standalone (traced from the repository root, where package-lock.json is). Local
  // builds skip it; `npm start` runs from .next as before.
  ...(process.env.NEXT_OUTPUT === 'standalone' && { output: 'standalone' as const }),
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
        ],
      },
    ]
  },
}

export default nextConfig
