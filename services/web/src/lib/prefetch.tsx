import 'server-only'
import { dehydrate, type FetchQueryOptions, HydrationBoundary, QueryClient } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { serverApi } from './api/server'
import type { Get } from './queries'

/** serverApi as the queries' fetcher. */
export const serverGet: Get = (path) => serverApi(path)

// biome-ignore lint/suspicious/noExplicitAny: a page prefetches queries of different result types
type AnyQuery = FetchQueryOptions<any, any, any, any>

/**
 * Fetches a page's data on the server and hands it to the browser's cache, so the first paint already
 * shows the figures (no loading round trip). A failed prefetch is left out: the page's own query then
 * fetches in the browser and shows its error state.
 */
export async function Prefetch({ queries, children }: { queries: AnyQuery[]; children: ReactNode }) {
  const client = new QueryClient()
  await Promise.all(queries.map((q) => client.prefetchQuery(q)))
  return <HydrationBoundary state={dehydrate(client)}>{children}</HydrationBoundary>
}
