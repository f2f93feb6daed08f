import type { DB } from '@psa/db'
import type { Insertable } from 'kysely'

type Json = NonNullable<Insertable<DB['agent_sessions']>['result']>

/**
 * A value for a jsonb column. postgres.js serialises parameters by the type the server infers, and for
 * jsonb that is JSON.stringify: passing an already stringified value would store a JSON string (and break
 * the object-shape checks), so values go in as they are.
 */
export const toJsonb = (value: unknown) => value as Json
