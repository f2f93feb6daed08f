import { randomUUID } from 'node:crypto'
import type { Database } from '@psa/db'

export type Role = 'owner' | 'admin' | 'manager' | 'member' | 'viewer'

export interface TestUser {
  id: string
  email: string
  organisationId: string | null
  role: Role | null
}

export interface TestTenants {
  orgA: string
  orgB: string
  /** Members of org A. */
  alice: TestUser
  bob: TestUser
  carol: TestUser
  /** A viewer of org A. */
  victor: TestUser
  /** A manager of org A. */
  maria: TestUser
  /** A member of org B. */
  oscar: TestUser
  /** Belongs to no organisation. */
  nobody: TestUser
}

async function insertUser(db: Database, email: string): Promise<string> {
  const id = randomUUID()
  await db.sql`insert into auth.users (id, email, aud, role, created_at, updated_at)
               values (${id}, ${email}, 'authenticated', 'authenticated', now(), now())`
  return id
}

/** Two organisations and users in each role the tests need. */
export async function createTenants(db: Database): Promise<TestTenants> {
  const org = async (slug: string) => {
    const id = randomUUID()
    await db.sql`insert into public.organisations (id, name, slug, currency) values (${id}, ${slug}, ${slug}, 'USD')`
    return id
  }
  const orgA = await org('org-a')
  const orgB = await org('org-b')
  const user = async (email: string, organisationId: string | null, role: Role | null): Promise<TestUser> => {
    const id = await insertUser(db, email)
    if (organisationId && role) {
      await db.sql`insert into public.memberships (organisation_id, user_id, role) values (${organisationId}, ${id}, ${role})`
    }
    return { id, email, organisationId, role }
  }
  return {
    orgA,
    orgB,
    alice: await user('alice@a.example', orgA, 'member'),
    bob: await user('bob@a.example', orgA, 'member'),
    carol: await user('carol@a.example', orgA, 'member'),
    victor: await user('victor@a.example', orgA, 'viewer'),
    maria: await user('maria@a.example', orgA, 'manager'),
    oscar: await user('oscar@b.example', orgB, 'member'),
    nobody: await user('nobody@example.com', null, null),
  }
}
