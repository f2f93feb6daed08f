'use client'

import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { type ReactNode, useState } from 'react'
import { ApiError } from '../../lib/api/http'
import { ToastProvider } from '../ui/toast'
import { AgentContextProvider } from './agent-context'
import { OrganisationProvider } from './organisation'

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Live changes mark data stale when it changes; until then what the server rendered is current.
        staleTime: 60_000,
        refetchOnWindowFocus: false,
        // Client errors (not found, forbidden) do not get better by retrying.
        retry: (count, error) =>
          !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 1,
      },
    },
  })
}

export function Providers({
  chosenOrganisation,
  children,
}: {
  chosenOrganisation: string | undefined
  children: ReactNode
}) {
  const [queryClient] = useState(makeQueryClient)
  return (
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <OrganisationProvider chosen={chosenOrganisation}>
          <AgentContextProvider>{children}</AgentContextProvider>
        </OrganisationProvider>
      </ToastProvider>
    </QueryClientProvider>
  )
}
