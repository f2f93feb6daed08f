'use client'

import { useQuery } from '@tanstack/react-query'
import { createContext, type ReactNode, useContext, useMemo } from 'react'
import { api, setOrganisation } from '../../lib/api/browser'
import type { Me, Organisation } from '../../lib/api/types'
import { createFormatter, type Formatter } from '../../lib/format'
import { queries } from '../../lib/queries'

interface OrganisationContext {
  me: Me | undefined
  organisation: Organisation | undefined
  fmt: Formatter
  /** Managers and above decide on proposals and may ask for auto-apply. */
  canDecide: boolean
}

const FALLBACK = createFormatter('en-US', 'USD')
const Context = createContext<OrganisationContext>({
  me: undefined,
  organisation: undefined,
  fmt: FALLBACK,
  canDecide: false,
})
const DECIDERS = new Set(['owner', 'admin', 'manager'])

/** The signed-in user's organisation (chosen, else their first), and a formatter for its currency and locale. */
export function OrganisationProvider({
  chosen,
  children,
}: {
  chosen: string | undefined
  children: ReactNode
}) {
  const me = useQuery(queries.me(api))
  const value = useMemo<OrganisationContext>(() => {
    const orgs = me.data?.organisations ?? []
    const organisation = orgs.find((o) => o.id === chosen) ?? orgs[0]
    setOrganisation(organisation?.id)
    return {
      me: me.data,
      organisation,
      fmt: organisation ? createFormatter(organisation.locale, organisation.currency) : FALLBACK,
      canDecide: DECIDERS.has(organisation?.role ?? ''),
    }
  }, [me.data, chosen])
  return <Context.Provider value={value}>{children}</Context.Provider>
}

export function useOrganisation(): OrganisationContext {
  return useContext(Context)
}

/** The organisation's formatter (money in its currency, in its locale). */
export function useFormat(): Formatter {
  return useContext(Context).fmt
}
