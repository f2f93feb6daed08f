import type { MembershipRole } from '@psa/db'

// Fixed identities of the demo data set. These are stable API: tests, docs and the local-auth token minting
// refer to them, so they are literals rather than derived ids.

export const DEMO_SEED = 'psa-demo-v1'

export const NORTHWIND_ORGANISATION_ID = '0a000000-0000-4000-8000-000000000001'
export const BLUEBIRD_ORGANISATION_ID = '0a000000-0000-4000-8000-000000000002'

export type DemoOrganisationSlug = 'northwind' | 'bluebird'
export type { MembershipRole }

export interface DemoOrganisation {
  id: string
  slug: DemoOrganisationSlug
  name: string
  currency: string
  timezone: string
  /** How the web app formats the organisation's money, dates and numbers. */
  locale: string
}

export const DEMO_ORGANISATIONS: readonly DemoOrganisation[] = [
  {
    id: NORTHWIND_ORGANISATION_ID,
    slug: 'northwind',
    name: 'Northwind Consulting',
    currency: 'USD',
    timezone: 'America/New_York',
    locale: 'en-US',
  },
  {
    id: BLUEBIRD_ORGANISATION_ID,
    slug: 'bluebird',
    name: 'Bluebird Studio',
    currency: 'EUR',
    timezone: 'Europe/Berlin',
    locale: 'de-DE',
  },
]

export interface DemoUser {
  id: string
  email: string
  fullName: string
  organisationId: string
  organisationSlug: DemoOrganisationSlug
  role: MembershipRole
}

export const DEMO_USERS = [
  {
    id: '0b000000-0000-4000-8000-000000000001',
    email: 'owner@northwind.example',
    fullName: 'Margaret Okafor',
    organisationId: NORTHWIND_ORGANISATION_ID,
    organisationSlug: 'northwind',
    role: 'owner',
  },
  {
    id: '0b000000-0000-4000-8000-000000000002',
    email: 'admin@northwind.example',
    fullName: 'Sarah Mitchell',
    organisationId: NORTHWIND_ORGANISATION_ID,
    organisationSlug: 'northwind',
    role: 'admin',
  },
  {
    id: '0b000000-0000-4000-8000-000000000003',
    email: 'manager@northwind.example',
    fullName: "James O'Connor",
    organisationId: NORTHWIND_ORGANISATION_ID,
    organisationSlug: 'northwind',
    role: 'manager',
  },
  {
    id: '0b000000-0000-4000-8000-000000000004',
    email: 'member@northwind.example',
    fullName: 'Alex Novak',
    organisationId: NORTHWIND_ORGANISATION_ID,
    organisationSlug: 'northwind',
    role: 'member',
  },
  {
    id: '0b000000-0000-4000-8000-000000000005',
    email: 'viewer@northwind.example',
    fullName: 'Rachel Goldberg',
    organisationId: NORTHWIND_ORGANISATION_ID,
    organisationSlug: 'northwind',
    role: 'viewer',
  },
  {
    id: '0b000000-0000-4000-8000-000000000006',
    email: 'admin@bluebird.example',
    fullName: 'Clara Neumann',
    organisationId: BLUEBIRD_ORGANISATION_ID,
    organisationSlug: 'bluebird',
    role: 'admin',
  },
  {
    id: '0b000000-0000-4000-8000-000000000007',
    email: 'member@bluebird.example',
    fullName: 'Jan Köhler',
    organisationId: BLUEBIRD_ORGANISATION_ID,
    organisationSlug: 'bluebird',
    role: 'member',
  },
] as const satisfies readonly DemoUser[]

export type DemoUserEmail = (typeof DEMO_USERS)[number]['email']

/** The user the product signs in as when nobody says otherwise. */
export const DEFAULT_DEMO_USER_EMAIL: DemoUserEmail = 'admin@northwind.example'

export function demoUser(email: DemoUserEmail): DemoUser {
  const user = DEMO_USERS.find((u) => u.email === email)
  if (!user) throw new Error(`unknown demo user ${email}`)
  return user
}
