import { earliest, latest } from '@psa/calendar'
import { planStaffing, type StaffingProblemInput, type StaffingScore, scoreStaffing } from '@psa/planning'
import { availability, type PersonCalendar } from './availability.js'
import { fitsEveryWeek, tightestWeek, weekClusters } from './staffing-weeks.js'

/**
 * Staffing a set of open requests at once with the planning engine's optimiser (a generalised assignment):
 * the requests are the jobs, the qualified people the agents, the objective explicit. Time is in hours a
 * week: each person is one agent per group of their candidate requests that share weeks, with the least free
 * time they have in any week of the group (net of holidays, time off and bookings), so whatever the
 * optimiser assigns fits every week. Within a group that is conservative (two requests of a chain that do
 * not overlap each other still share one capacity); what it leaves open is then tried week by week.
 */
export type StaffingObjective = 'cost' | 'fit' | 'balance' | 'blend'

export interface ObjectiveWeights {
  cost: number
  fit: number
  utilisation: number
}

/** Each named objective, with the other terms as small tie-breakers so equal plans are told apart. */
export const OBJECTIVE_WEIGHTS: Record<StaffingObjective, ObjectiveWeights> = {
  cost: { cost: 1, fit: 0.01, utilisation: 0.01 },
  fit: { cost: 0.01, fit: 1, utilisation: 0.01 },
  balance: { cost: 0.01, fit: 0.01, utilisation: 1 },
  blend: { cost: 1, fit: 1, utilisation: 1 },
}

export interface OpenNeed {
  id: string
  code: string
  role: string
  skill: string | null
  minProficiency: number | null
  /** Hours a week still to book. */
  hoursPerWeek: number
  startsOn: string
  endsOn: string
}

export interface StaffablePerson {
  id: string
  name: string
  costRateMinor: number
  calendar: PersonCalendar
}

/** A person who holds what a need asks for (skill at its level, or the role). */
export interface Qualification {
  needId: string
  personId: string
  proficiency: number | null
  roleMatch: boolean
}

export interface StaffingOptions {
  weights: ObjectiveWeights
  /** Hard cap at each person's utilisation target instead of at their full capacity. */
  respectTarget: boolean
  /** Pairs the user ruled out. */
  exclusions: readonly { needId: string; personId: string }[]
  timeLimitMs?: number
}

export type UnstaffedReason =
  | 'no_one_qualified'
  | 'excluded'
  | 'no_capacity'
  | 'capacity_taken'
  | 'window_over'

export interface Unstaffed {
  needId: string
  reason: UnstaffedReason
  message: string
}

export interface RunnerUp {
  personId: string
  name: string
  /** How much worse the objective would be with them instead (null when they could not take it at all). */
  objectiveDelta: number | null
  why: string
}

export interface ChosenAssignment {
  needId: string
  personId: string
  name: string
  hoursPerWeek: number
  fit: number
  costMinor: number
  runnerUp: RunnerUp | null
}

export interface StaffingOutcome {
  objective: {
    weights: ObjectiveWeights
    value: number
    terms: { cost: number; misfit: number; overTarget: number; unfilled: number }
    optimal: boolean
    bound: number | null
    lpBound: number | null
    gap: number | null
    method: string
  }
  assignments: ChosenAssignment[]
  unstaffed: Unstaffed[]
  /** Requests the optimiser's model left open that fitted week by week next to its plan, and were added. */
  repaired: string[]
  /** Request by request, the cheapest person with hours left (what staffing one at a time gets). */
  greedy: { value: number; staffed: number }
  totalCostMinor: number
}

type Choice = Record<string, string | null>
/** Capacity for scoring only: the week-by-week checks bound what is booked. */
const UNBOUNDED = 1_000_000

const round = (n: number, places = 4) => Math.round(n * 10 ** places) / 10 ** places

/** Skill fit 0–1 as the candidate ranking weighs it: proficiency (25 points) and holding the role (15). */
export function skillFit(q: Pick<Qualification, 'proficiency' | 'roleMatch'>): number {
  const skill = q.proficiency === null ? 0.6 : q.proficiency / 5
  return (25 * skill + (q.roleMatch ? 15 : 0)) / 40
}

function freeHours(calendar: PersonCalendar, from: string, to: string, respectTarget: boolean) {
  const a = availability(calendar, from, to)
  return {
    free: Math.max(0, respectTarget ? a.minFreeToTargetHoursPerWeek : a.minFreeHoursPerWeek),
    toTarget: Math.max(0, a.minFreeToTargetHoursPerWeek),
    weeks: a.weeks,
  }
}

export async function optimiseStaffing(
  needs: readonly OpenNeed[],
  people: readonly StaffablePerson[],
  qualifications: readonly Qualification[],
  options: StaffingOptions,
): Promise<StaffingOutcome> {
  const byPerson = new Map(people.map((p) => [p.id, p]))
  const excluded = new Set(options.exclusions.map((e) => `${e.needId} ${e.personId}`))
  const unstaffed: Unstaffed[] = []
  const pairs: { need: OpenNeed; person: StaffablePerson; fit: number }[] = []
  for (const need of needs) {
    const all = qualifications.filter((q) => q.needId === need.id && byPerson.has(q.personId))
    const what = need.skill ? `${need.skill} at ${need.minProficiency ?? 3}+` : `the role ${need.role}`
    if (all.length === 0) {
      unstaffed.push({ needId: need.id, reason: 'no_one_qualified', message: `Nobody has ${what}.` })
      continue
    }
    const allowed = all.filter((q) => !excluded.has(`${need.id} ${q.personId}`))
    if (allowed.length === 0) {
      unstaffed.push({
        needId: need.id,
        reason: 'excluded',
        message: `Everyone with ${what} was excluded.`,
      })
      continue
    }
    const fits = allowed.map((q) => {
      const person = byPerson.get(q.personId) as StaffablePerson
      const { free } = freeHours(person.calendar, need.startsOn, need.endsOn, options.respectTarget)
      return { q, person, free }
    })
    const able = fits.filter((f) => f.free >= need.hoursPerWeek - 1e-9)
    if (able.length === 0) {
      const closest = fits
        .sort((a, b) => b.free - a.free)
        .slice(0, 3)
        .map(
          (f, i) =>
            `${f.person.name} ${round(f.free, 1)} h/wk${i === 0 ? tightestWeek(f.person.calendar, need.startsOn, need.endsOn) : ''}`,
        )
      unstaffed.push({
        needId: need.id,
        reason: 'no_capacity',
        message: `${allowed.length} ${allowed.length === 1 ? 'person has' : 'people have'} ${what}, but nobody has ${need.hoursPerWeek} h/wk free every week from ${need.startsOn} to ${need.endsOn}${options.respectTarget ? ' within their utilisation target' : ''} (most free: ${closest.join(', ')}).`,
      })
      continue
    }
    for (const f of able) pairs.push({ need, person: f.person, fit: skillFit(f.q) })
  }

  const staffable = needs.filter((n) => pairs.some((p) => p.need === n))
  const w = options.weights
  const empty: StaffingOutcome = {
    objective: {
      weights: w,
      value: 0,
      terms: { cost: 0, misfit: 0, overTarget: 0, unfilled: 0 },
      optimal: true,
      bound: null,
      lpBound: null,
      gap: null,
      method: 'none',
    },
    assignments: [],
    unstaffed,
    repaired: [],
    greedy: { value: 0, staffed: 0 },
    totalCostMinor: 0,
  }
  if (staffable.length === 0) return empty

  // The optimiser's agents: one per person and group of their requests that share weeks, with the person's
  // least free time in any week of the group. Groups share no week, so nobody is limited in April by how
  // busy they are in January.
  const agentOf = new Map<string, string>()
  const personOf = new Map<string, string>()
  const candidates: { id: string; capacityHours: number; utilisationTarget: number; costRate: number }[] = []
  for (const id of new Set(pairs.map((p) => p.person.id))) {
    const person = byPerson.get(id) as StaffablePerson
    const mine = pairs.filter((p) => p.person.id === id).map((p) => p.need)
    for (const [k, group] of weekClusters(mine).entries()) {
      const agent = `${id}#${k}`
      personOf.set(agent, id)
      for (const n of group) agentOf.set(`${n.id} ${id}`, agent)
      const from = earliest(group.map((n) => n.startsOn))
      const to = latest(group.map((n) => n.endsOn))
      const { free, toTarget } = freeHours(person.calendar, from, to, options.respectTarget)
      candidates.push({
        id: agent,
        capacityHours: free,
        utilisationTarget: free > 0 ? Math.min(1, toTarget / free) : 1,
        costRate: person.costRateMinor,
      })
    }
  }
  const agentFor = (needId: string, personId: string) => agentOf.get(`${needId} ${personId}`) as string
  const hours = staffable.map((n) => n.hoursPerWeek)
  // Leaving a request open must cost more than staffing any one request could.
  const unfilledPenalty = (w.cost + w.fit + w.utilisation + 1) * 2 * (Math.max(...hours) / Math.min(...hours))
  const problem: StaffingProblemInput = {
    requests: staffable.map((n) => ({ id: n.id, hours: n.hoursPerWeek })),
    candidates,
    pairs: pairs.map((p) => ({
      request: p.need.id,
      candidate: agentFor(p.need.id, p.person.id),
      skillFit: p.fit,
    })),
    weights: { cost: w.cost, skillFit: w.fit, utilisation: w.utilisation },
    unfilledPenalty,
  }
  const plan = await planStaffing(problem, options.timeLimitMs ? { timeLimitMs: options.timeLimitMs } : {})
  if (!plan.feasible) throw new Error(`staffing optimiser: ${plan.message}`)

  // The plan, the greedy alternative and every swap are scored on one scale: the optimiser's normalisation
  // without its capacities, which the week-by-week checks stand in for.
  const scoring: StaffingProblemInput = {
    ...problem,
    candidates: candidates.map((c) => ({
      ...c,
      capacityHours: UNBOUNDED,
      utilisationTarget: (c.capacityHours * c.utilisationTarget) / UNBOUNDED,
    })),
  }
  const scored = (choice: Choice) => {
    const s = scoreStaffing(
      scoring,
      Object.fromEntries(
        Object.entries(choice).map(([need, person]) => [need, person ? agentFor(need, person) : null]),
      ),
    )
    if (!s.feasible) throw new Error(`staffing score: ${s.message}`)
    return s
  }
  const value = (choice: Choice) => scored(choice).objective.total
  const fits = (person: StaffablePerson, need: OpenNeed, choice: Choice) =>
    fitsEveryWeek(
      person.calendar,
      [...staffable.filter((n) => n.id !== need.id && choice[n.id] === person.id), need],
      options.respectTarget,
    )
  /** The person who adds least to the objective among those who fit every week next to `choice`. */
  const cheapest = (need: OpenNeed, choice: Choice) => {
    let best: { person: StaffablePerson; value: number } | null = null
    for (const p of pairs.filter((x) => x.need === need)) {
      if (!fits(p.person, need, choice)) continue
      const v = value({ ...choice, [need.id]: p.person.id })
      if (!best || v < best.value - 1e-12) best = { person: p.person, value: v }
    }
    return best?.person.id ?? null
  }

  // The alternative the optimiser must beat: request by request, the cheapest person who still fits.
  const greedyChoice: Choice = {}
  for (const need of staffable) greedyChoice[need.id] = cheapest(need, greedyChoice)
  const greedyValue = value(greedyChoice)
  // The model's capacity is a person's tightest week over every request they could take, so someone busy
  // now and free later may be left out of a later request: what it left open is tried week by week.
  const planChoice: Choice = Object.fromEntries(
    plan.assignments.map((a) => [a.request, a.candidate ? (personOf.get(a.candidate) ?? null) : null]),
  )
  const repaired: string[] = []
  for (const need of staffable) {
    if (planChoice[need.id]) continue
    planChoice[need.id] = cheapest(need, planChoice)
    if (planChoice[need.id]) repaired.push(need.id)
  }
  const planValue = value(planChoice)
  const useGreedy = greedyValue < planValue - 1e-9
  const chosen = useGreedy ? greedyChoice : planChoice
  const chosenScore = scored(chosen)
  const chosenValue = useGreedy ? greedyValue : planValue

  const assignments: ChosenAssignment[] = []
  for (const need of staffable) {
    const personId = chosen[need.id]
    const mine = pairs.filter((p) => p.need === need)
    if (!personId) {
      const names = mine.map((p) => p.person.name)
      const busy = [
        ...new Set(
          mine.flatMap((p) =>
            staffable.filter((n) => chosen[n.id] === p.person.id).map((n) => `${n.code} ${n.role}`),
          ),
        ),
      ]
      unstaffed.push({
        needId: need.id,
        reason: 'capacity_taken',
        message: `${names.join(', ')} could take it alone, but their hours go to ${busy.join('; ')} in this plan.`,
      })
      continue
    }
    const pick = mine.find((p) => p.person.id === personId) as (typeof pairs)[number]
    assignments.push({
      needId: need.id,
      personId,
      name: pick.person.name,
      hoursPerWeek: need.hoursPerWeek,
      fit: round(pick.fit, 3),
      costMinor: Math.round(
        need.hoursPerWeek *
          pick.person.costRateMinor *
          availability(pick.person.calendar, need.startsOn, need.endsOn).weeks,
      ),
      runnerUp: runnerUp(need, pick, mine, chosen, chosenValue, {
        fits,
        scored,
        staffable,
      }),
    })
  }
  return {
    objective: {
      weights: w,
      value: round(chosenValue, 6),
      terms: {
        cost: round(chosenScore.objective.cost, 6),
        misfit: round(chosenScore.objective.misfit, 6),
        overTarget: round(chosenScore.objective.overTarget, 6),
        unfilled: round(chosenScore.objective.unfilled, 6),
      },
      optimal: !useGreedy && repaired.length === 0 && plan.optimal,
      bound: round(plan.bound, 6),
      lpBound: plan.lpBound === null ? null : round(plan.lpBound, 6),
      gap: round(plan.gap, 6),
      method: useGreedy ? 'greedy' : repaired.length > 0 ? `${plan.method}+weekly` : plan.method,
    },
    assignments,
    unstaffed,
    repaired: useGreedy ? [] : repaired,
    greedy: {
      value: round(greedyValue, 6),
      staffed: Object.values(greedyChoice).filter((c) => c !== null).length,
    },
    totalCostMinor: assignments.reduce((s, a) => s + a.costMinor, 0),
  }
}

/** The best other person for a request, with the plan held fixed elsewhere, and why they lost. */
function runnerUp(
  need: OpenNeed,
  pick: { person: StaffablePerson; fit: number },
  mine: readonly { person: StaffablePerson; fit: number }[],
  chosen: Choice,
  chosenValue: number,
  ctx: {
    fits: (person: StaffablePerson, need: OpenNeed, choice: Choice) => boolean
    scored: (choice: Choice) => Extract<StaffingScore, { feasible: true }>
    staffable: readonly OpenNeed[]
  },
): RunnerUp | null {
  const others = mine.filter((p) => p.person.id !== pick.person.id)
  if (others.length === 0) return null
  const feasible = others
    .filter((p) => ctx.fits(p.person, need, chosen))
    .map((p) => ({ p, s: ctx.scored({ ...chosen, [need.id]: p.person.id }) }))
    .sort((a, b) => a.s.objective.total - b.s.objective.total)
  const best = feasible[0]
  if (!best) {
    const p = others[0] as (typeof others)[number]
    const theirs = ctx.staffable.filter((n) => chosen[n.id] === p.person.id).map((n) => n.code)
    return {
      personId: p.person.id,
      name: p.person.name,
      objectiveDelta: null,
      why: `has no hours left once ${theirs.join(', ')} ${theirs.length === 1 ? 'is' : 'are'} booked on them`,
    }
  }
  const base = ctx.scored(chosen)
  const reasons: string[] = []
  if (best.p.person.costRateMinor > pick.person.costRateMinor)
    reasons.push(
      `costs ${((best.p.person.costRateMinor - pick.person.costRateMinor) / 100).toFixed(2)} more an hour`,
    )
  if (best.p.fit < pick.fit - 1e-9)
    reasons.push(`fits less (${round(best.p.fit, 2)} vs ${round(pick.fit, 2)})`)
  if (best.s.objective.overTarget > base.objective.overTarget + 1e-9)
    reasons.push('would push someone past their utilisation target')
  const delta = round(best.s.objective.total - chosenValue, 6)
  return {
    personId: best.p.person.id,
    name: best.p.person.name,
    objectiveDelta: delta,
    why:
      delta <= 1e-9
        ? 'ties on the objective'
        : reasons.length > 0
          ? reasons.join(', ')
          : 'scores worse on the weighted objective',
  }
}
