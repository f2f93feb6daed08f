'use client'

import { useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import { accessToken } from '../../lib/api/browser'
import { usePageSettled } from '../../lib/page-settled'
import { staleRoots } from '../../lib/queries'
import { followEventStream } from '../../lib/sse'

/**
 * Keeps open pages current: follows the organisation's change feed (`/api/changes`) and marks the queries
 * the changed tables feed as stale, so whatever is on screen refetches (a proposal applied elsewhere, a
 * session finishing) without a reload. It opens once the first page has loaded (not while that page's content
 * is still arriving); a change in the moment before that is missed either way, as the page's data was read
 * on the server earlier still.
 */
export function LiveChanges({ organisationId }: { organisationId: string | undefined }) {
  const queryClient = useQueryClient()
  const settled = usePageSettled()
  useEffect(() => {
    if (!organisationId || !settled) return
    const controller = new AbortController()
    void followEventStream({
      url: `/api/changes?organisation_id=${organisationId}`,
      token: () => accessToken(),
      signal: controller.signal,
      onEvent: (message) => {
        if (message.event !== 'change') return
        const { tables } = JSON.parse(message.data) as { tables: string[] }
        const roots = staleRoots(tables)
        void queryClient.invalidateQueries(
          roots ? { predicate: (q) => roots.has(String(q.queryKey[0])) } : undefined,
        )
      },
    })
    return () => controller.abort()
  }, [organisationId, queryClient, settled])
  return null
}
