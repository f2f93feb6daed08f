import type { AgentToolContext } from '@psa/agent-runtime'
import type { Tx } from '@psa/db'
import { AppError } from '@psa/errors'
import { loadProjectRows as loadRows, type ProjectRows } from '@psa/project-plan'

export type { ProjectRows }

/**
 * Loads a project of the session's organisation as the submitting user. The id comes from the model, so it is
 * checked twice: RLS bounds what the user sees, and the row must belong to the session's organisation (a
 * user in two organisations only reaches the one the session was made in).
 */
export async function loadProjectRows(
  tx: Tx,
  ctx: AgentToolContext,
  projectId: string,
): Promise<ProjectRows> {
  const rows = await loadRows(tx, ctx.session.organisationId, projectId)
  if (!rows)
    throw new AppError('NOT_FOUND', 'No such project in this organisation', { details: { projectId } })
  return rows
}
