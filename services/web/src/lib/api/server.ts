import 'server-only'
import { chosenOrganisation, serverSession } from '../auth/access-token'
import { gatewayUrl } from '../runtime-env'
import { apiRequest } from './http'

/** A GET to the gateway as the signed-in user, from server components (prefetching a page's data). */
export async function serverApi<T>(path: string): Promise<T> {
  const [session, organisationId] = await Promise.all([serverSession(), chosenOrganisation()])
  return apiRequest<T>(gatewayUrl(), path, {
    token: session?.accessToken ?? null,
    organisationId,
    signal: AbortSignal.timeout(10_000),
  })
}
