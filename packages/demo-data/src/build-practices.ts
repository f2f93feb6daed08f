// A firm of any size: `generateDemoData({ people: N })` adds practices to Northwind until it has about N
// people. A practice is a copy of the firm's delivery teams (the same roles, levels, locations and part-time
// pattern, new names), with its own ten clients and a portfolio shaped like the firm's: the same kinds of
// project in the same states, slightly shifted in time, staffed by the practice's own people (so staffing
// stays linear in the firm's size). Nothing planted is copied: no named or double bookings, no overrun, no
// late milestone, no React expert, so the planted problems stay exactly the four of the core firm.

import { practiceCommercial } from './build-commercial.js'
import type { BuiltOrganisation } from './build-organisation.js'
import { practicePeople } from './build-people.js'
import { applyCostPerformance, applySchedulePerformance } from './build-performance.js'
import { keepWithinPlan } from './build-plan-bounds.js'
import { buildProjects } from './build-projects.js'
import { buildTimeEntries, setBudgets } from './build-time.js'
import type { ClientSpec, OrganisationCatalogue, PersonSpec, ProjectSpec } from './catalogue.js'
import type { Random } from './random.js'

const FIRST_NAMES = [
  'Aaron',
  'Abigail',
  'Adrian',
  'Aisha',
  'Alan',
  'Alice',
  'Amara',
  'Andrea',
  'Anton',
  'Ava',
  'Ben',
  'Bianca',
  'Carlos',
  'Caroline',
  'Chen',
  'Chloe',
  'Daniel',
  'Daria',
  'Diego',
  'Elena',
  'Elif',
  'Ethan',
  'Fatima',
  'Felix',
  'Freya',
  'Gabriel',
  'Greta',
  'Hamza',
  'Helen',
  'Hugo',
  'Ines',
  'Ivan',
  'Jack',
  'Jana',
  'Jonas',
  'Julia',
  'Kai',
  'Karin',
  'Leo',
  'Lina',
  'Lucas',
  'Maya',
  'Mei',
  'Mila',
  'Nadia',
  'Nathan',
  'Nina',
  'Omar',
  'Oscar',
  'Paula',
  'Pedro',
  'Quinn',
  'Rosa',
  'Ruben',
  'Sam',
  'Sofia',
  'Tariq',
  'Tessa',
  'Victor',
  'Yara',
]
const LAST_NAMES = [
  'Abbott',
  'Adler',
  'Alvarez',
  'Andersson',
  'Bauer',
  'Becker',
  'Bennett',
  'Brandt',
  'Carter',
  'Costa',
  'Dalton',
  'Dubois',
  'Eriksen',
  'Evans',
  'Fischer',
  'Fontaine',
  'Garcia',
  'Graham',
  'Hansen',
  'Hayes',
  'Ibrahim',
  'Jansen',
  'Kaur',
  'Keller',
  'Kowalski',
  'Lambert',
  'Lindqvist',
  'Lopez',
  'Mahmoud',
  'Marsh',
  'Meyer',
  'Moreau',
  'Nakamura',
  'Nash',
  'Novak',
  'Olsen',
  'Ortiz',
  'Patel',
  'Perez',
  'Quinlan',
  'Reyes',
  'Richter',
  'Rossi',
  'Sato',
  'Schmidt',
  'Silva',
  'Sommer',
  'Stone',
  'Tanaka',
  'Torres',
  'Turner',
  'Vogel',
  'Walsh',
  'Weber',
  'Wright',
  'Yilmaz',
  'Young',
  'Zhang',
  'Zimmer',
  'Zubiri',
]
const CLIENT_PREFIXES = [
  'Alder',
  'Apex',
  'Aspen',
  'Atlas',
  'Beacon',
  'Birch',
  'Bright',
  'Canyon',
  'Cobalt',
  'Coral',
  'Crest',
  'Delta',
  'Ember',
  'Falcon',
  'Fjord',
  'Granite',
  'Harbor',
  'Horizon',
  'Indigo',
  'Juniper',
  'Keystone',
  'Lakeside',
  'Maple',
  'Meridian',
  'Northstar',
  'Oakridge',
  'Onyx',
  'Pinnacle',
  'Quarry',
  'Redwood',
  'Ridge',
  'Sable',
  'Sierra',
  'Silver',
  'Sterling',
  'Summit',
  'Tidal',
  'Vantage',
  'Willow',
  'Zenith',
]
const CLIENT_KINDS: Array<[suffix: string, industry: string]> = [
  ['Retail', 'Retail'],
  ['Bank', 'Financial services'],
  ['Health', 'Healthcare'],
  ['Logistics', 'Logistics'],
  ['Insurance', 'Insurance'],
  ['Energy', 'Energy & utilities'],
  ['Media', 'Media & entertainment'],
  ['Manufacturing', 'Manufacturing'],
  ['Transit', 'Public sector'],
  ['Biotech', 'Life sciences'],
  ['Foods', 'Consumer goods'],
  ['Telecom', 'Telecommunications'],
  ['Hotels', 'Hospitality'],
  ['Realty', 'Real estate'],
  ['Airlines', 'Travel'],
]

/** People per practice: the firm's delivery staff (demo users, leavers and hand-set experts excepted). */
export function practiceStaff(firm: OrganisationCatalogue): PersonSpec[] {
  return firm.people.filter((p) => !p.user && p.leftDaysAgo === undefined && !p.skills)
}

/** How many practices take a firm of `people` people (none at or below the core firm's size). */
export function practiceCount(firm: OrganisationCatalogue, people: number | undefined): number {
  if (people === undefined || people <= firm.people.length) return 0
  return Math.round((people - firm.people.length) / practiceStaff(firm).length)
}

function personName(n: number, taken: Set<string>): string {
  for (let attempt = n; ; attempt += 7919) {
    const first = FIRST_NAMES[attempt % FIRST_NAMES.length] as string
    const last = LAST_NAMES[Math.floor(attempt / FIRST_NAMES.length) % LAST_NAMES.length] as string
    const round = Math.floor(attempt / (FIRST_NAMES.length * LAST_NAMES.length))
    const middle = round === 0 ? '' : ` ${String.fromCharCode(64 + (round % 26 || 26))}.`
    const name = `${first}${middle} ${last}${round > 26 ? ` ${Math.floor(round / 26) + 1}` : ''}`
    if (!taken.has(name)) {
      taken.add(name)
      return name
    }
  }
}

function practiceClient(n: number): ClientSpec {
  const prefix = CLIENT_PREFIXES[n % CLIENT_PREFIXES.length] as string
  const [suffix, industry] = CLIENT_KINDS[Math.floor(n / CLIENT_PREFIXES.length) % CLIENT_KINDS.length] as [
    string,
    string,
  ]
  const round = Math.floor(n / (CLIENT_PREFIXES.length * CLIENT_KINDS.length))
  return { key: `client-${n}`, name: `${prefix} ${suffix}${round > 0 ? ` ${round + 1}` : ''}`, industry }
}

/** Weeks a copied project may move and still be what it was (completed, running, or not yet started). */
function shifted(spec: ProjectSpec, random: Random): number {
  const weeks = spec.phases.reduce((sum, p) => sum + p.weeks, 0)
  const end = spec.start + weeks - 1
  const shift = random.pick([-1, 0, 1])
  const fits =
    spec.haltedWeek === undefined &&
    ((spec.status === 'completed' && end + shift <= -1) ||
      (spec.status === 'active' && spec.start + shift <= -2 && end + shift >= 1) ||
      (spec.status === 'tentative' && spec.start + shift >= 1))
  return fits ? shift : 0
}

export function practiceCatalogue(
  firm: OrganisationCatalogue,
  practice: number,
  taken: Set<string>,
  random: Random,
): OrganisationCatalogue {
  const staff = practiceStaff(firm)
  const people: PersonSpec[] = staff.map((p, i) => ({
    name: personName((practice - 1) * staff.length + i, taken),
    role: p.role,
    level: p.level,
    location: p.location,
    capacity: p.capacity,
    tenureYears: Math.round((1.2 + 8 * random.float()) * 10) / 10,
  }))
  const clientKeys = new Map(
    firm.clients.map((c, i) => [c.key, practiceClient((practice - 1) * firm.clients.length + i)]),
  )
  const managers = people.filter((p) => p.role === 'pm').map((p) => p.name)
  const code = (base: string) => `NW-${String(practice).padStart(3, '0')}-${base.replace(/^NW-/, '')}`
  const projects: ProjectSpec[] = firm.projects.map((spec, i) => ({
    code: code(spec.code),
    name: spec.name,
    client: (clientKeys.get(spec.client) as ClientSpec).key,
    description: spec.description,
    status: spec.status,
    billing: spec.billing,
    // A practice's copy of the planted overrun is a healthy project four weeks less far along: at its
    // rate card a late-stage project burns close to its progress, which must stay clear of the 85% flag.
    start: spec.start + shifted(spec, random) + (spec.burnTarget === undefined ? 0 : 4),
    phases: spec.phases,
    ...(spec.winProbability === undefined ? {} : { winProbability: spec.winProbability }),
    ...(spec.haltedWeek === undefined ? {} : { haltedWeek: spec.haltedWeek }),
    health: spec.burnTarget !== undefined ? 'green' : spec.health === 'red' ? 'amber' : spec.health,
    manager: managers[i % managers.length] as string,
    clientRateCard: false,
    team: spec.team
      .filter((slot) => !slot.overbook)
      .map(({ person: _named, overbook: _overbook, ...slot }) =>
        slot.skill === 'React' && (slot.minProficiency ?? 1) > 3 ? { ...slot, minProficiency: 3 } : slot,
      ),
  }))
  return {
    ...firm,
    people,
    timeOff: [],
    randomTimeOff: true,
    noRandomTimeOff: [],
    clients: [...clientKeys.values()],
    clientRateCards: [],
    projects,
    quotes: [],
  }
}

/** Grows the firm to `practices` more practices (after the core firm, whose data it leaves as it is). */
export function buildPractices(firm: BuiltOrganisation, practices: number): void {
  const { ctx } = firm
  const taken = new Set(firm.catalogue.people.map((p) => p.name))
  for (let practice = 1; practice <= practices; practice++) {
    const random = ctx.random(`practice/${practice}`)
    const catalogue = practiceCatalogue(firm.catalogue, practice, taken, random)
    const people = practicePeople(ctx, catalogue, firm.people)
    const commercial = practiceCommercial(ctx, catalogue, firm.commercial)
    const projects = buildProjects(ctx, catalogue, people, commercial)
    applySchedulePerformance(ctx, projects)
    setBudgets(projects, new Map())
    const firstEntry = ctx.tables.time_entries.length
    buildTimeEntries(ctx, people, projects)
    const logged = ctx.tables.time_entries.slice(firstEntry)
    applyCostPerformance(ctx, projects, logged)
    keepWithinPlan(ctx, projects, logged, new Set())
  }
}
