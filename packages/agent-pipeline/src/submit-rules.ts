import { hasRole, type Membership } from '@psa/db'
import { AppError } from '@psa/errors'

/**
 * Who may submit an agent request, checked by the one admission path (signed-in users cannot insert
 * sessions through the API, so no policy checks this for it): members and up, and auto-apply only for
 * those who could apply the result themselves (managers and up).
 */
export function assertMaySubmit(membership: Membership, autoApply: boolean): void {
  if (!hasRole(membership.role, 'member')) {
    throw new AppError('FORBIDDEN', 'Viewers cannot submit agent requests; ask for the member role', {
      details: { organisation_id: membership.organisationId, role: membership.role },
    })
  }
  if (autoApply && !hasRole(membership.role, 'manager')) {
    throw new AppError(
      'FORBIDDEN',
      'Only managers and above may ask for proposals to be applied automatically',
      {
        details: { organisation_id: membership.organisationId, role: membership.role },
      },
    )
  }
}
