/**
 * The vocabulary of the authorisation matrices (HTTP routes in the gateway, RPCs in the orchestrator): who
 * calls, and what each caller should get. Each matrix maps an expectation onto its protocol's answer.
 */
export type MatrixActor = 'anonymous' | 'viewer' | 'member' | 'manager' | 'admin' | 'owner' | 'otherMember'
export const MATRIX_ACTORS: readonly MatrixActor[] = [
  'anonymous',
  'viewer',
  'member',
  'manager',
  'admin',
  'owner',
  'otherMember',
]
/** 'ok' answered; 'unauth' not signed in; 'denied' forbidden; 'hidden' not found (nothing leaks). */
export type MatrixExpect = 'ok' | 'unauth' | 'denied' | 'hidden'
export type MatrixRow = Record<MatrixActor, MatrixExpect>

/** Everyone in the organisation may; anonymous may not; another organisation sees nothing of ours. */
export const READ_OURS: MatrixRow = {
  anonymous: 'unauth',
  viewer: 'ok',
  member: 'ok',
  manager: 'ok',
  admin: 'ok',
  owner: 'ok',
  otherMember: 'hidden',
}
/** Lists and summaries answer for the caller's own organisation, whichever it is. */
export const READ_OWN: MatrixRow = { ...READ_OURS, otherMember: 'ok' }

/** Members of `least` role and above may; viewers may not; another organisation's member gets `otherMember`. */
export function fromRole(least: 'member' | 'manager', otherMember: MatrixExpect = 'hidden'): MatrixRow {
  return {
    anonymous: 'unauth',
    viewer: 'denied',
    member: least === 'member' ? 'ok' : 'denied',
    manager: 'ok',
    admin: 'ok',
    owner: 'ok',
    otherMember,
  }
}
