import { sql, type Tx } from '@psa/db'

/**
 * Plans this transaction's statements for their actual parameters. A prepared statement reused a few
 * times gets Postgres's generic plan, which cannot see how many projects the id array holds: for a
 * portfolio of 1,000 projects (5,000 people) it picked plans that took 5.9 s for budget burn instead of
 * 0.85 s. Planning these few statements each time costs about a millisecond.
 */
async function planForTheseProjects(tx: Tx): Promise<void> {
  await sql`select set_config('plan_cache_mode', 'force_custom_plan', true)`.execute(tx)
}

/**
 * `column = any(ids)`, or for a single project `column = id`: a statement text of its own, whose generic
 * plan fits every call (one project), so it is not planned again each time as lists are; planning budget
 * burn with its RLS policies took as long as running it for a project of 500 entries.
 */
function ofProjects(column: string, projectIds: readonly string[]) {
  const [only] = projectIds
  return projectIds.length === 1 && only !== undefined
    ? sql`${sql.ref(column)} = ${only}::uuid`
    : sql`${sql.ref(column)} = any(${[...projectIds]}::uuid[])`
}

/** Lists only: see `ofProjects`. */
async function planForLists(tx: Tx, projectIds: readonly string[]): Promise<void> {
  if (projectIds.length > 1) await planForTheseProjects(tx)
}

/**
 * The time booked against one project. Money is integer minor units, each entry valued at its person's rate
 * and rounded once (as the timesheet values it); every figure is the exact text Postgres computed.
 */
export interface BookedTime {
  hoursLogged: string
  billableHours: string
  /** Hours at each person's cost rate. */
  costMinor: string
  /** Billable hours at each person's bill rate. */
  billableValueMinor: string
}

const NOTHING_BOOKED: BookedTime = {
  hoursLogged: '0',
  billableHours: '0',
  costMinor: '0',
  billableValueMinor: '0',
}

/**
 * The booked time of each project (every project asked for has an entry), up to and including `through`
 * when given (a report "as of today" leaves out time logged ahead). Runs as whoever `tx` is: as a user, RLS
 * decides which projects and entries count.
 */
export async function bookedTime(
  tx: Tx,
  projectIds: readonly string[],
  options: { through?: string } = {},
): Promise<Map<string, BookedTime>> {
  const booked = new Map<string, BookedTime>(projectIds.map((id) => [id, NOTHING_BOOKED]))
  if (projectIds.length === 0) return booked
  await planForLists(tx, projectIds)
  const rows = await sql<{
    project_id: string
    hours_logged: string
    billable_hours: string
    cost_minor: string
    billable_value_minor: string
  }>`
    select te.project_id,
      sum(te.hours)::text as hours_logged,
      coalesce(sum(te.hours) filter (where te.billable), 0)::text as billable_hours,
      sum(round(te.hours * p.cost_rate_minor))::bigint::text as cost_minor,
      coalesce(sum(round(te.hours * p.bill_rate_minor)) filter (where te.billable), 0)::bigint::text
        as billable_value_minor
    from public.time_entries te
    join public.people p on p.id = te.person_id and p.organisation_id = te.organisation_id
    where ${ofProjects('te.project_id', projectIds)}
      and (${options.through ?? null}::date is null or te.work_date <= ${options.through ?? null}::date)
    group by te.project_id
  `.execute(tx)
  for (const r of rows.rows) {
    booked.set(r.project_id, {
      hoursLogged: r.hours_logged,
      billableHours: r.billable_hours,
      costMinor: r.cost_minor,
      billableValueMinor: r.billable_value_minor,
    })
  }
  return booked
}

/**
 * A project's burn as the budget is priced: booked time at the project's rate card (the line for the
 * person's role on the day worked; the organisation's default card, then the role's rate, where the card has
 * none). On time and materials only billable hours count against the budget; on fixed fee and retainer
 * every hour does. This is the actual cost (AC) of earned value, in the budget's own terms.
 */
export interface BudgetBurn {
  /** Hours that count against the budget. */
  hours: string
  burnMinor: string
  budgetMinor: string | null
  /** burnMinor / budgetMinor in percent, one decimal; null without a budget. */
  burnPct: string | null
}

/** Budget burn of each project asked for (every one has an entry), up to and including `through`. */
export async function budgetBurn(
  tx: Tx,
  projectIds: readonly string[],
  options: { through?: string } = {},
): Promise<Map<string, BudgetBurn>> {
  if (projectIds.length === 0) return new Map()
  await planForLists(tx, projectIds)
  const rows = await sql<{ id: string; hours: string; burn_minor: string; budget_minor: string | null }>`
    with entries as (
      select te.id, te.project_id, te.hours, te.work_date, te.organisation_id, p.role_id, pr.rate_card_id,
        r.bill_rate_minor as role_rate
      from public.time_entries te
      join public.projects pr on pr.id = te.project_id and pr.organisation_id = te.organisation_id
      join public.people p on p.id = te.person_id and p.organisation_id = te.organisation_id
      join public.roles r on r.id = p.role_id and r.organisation_id = p.organisation_id
      where ${ofProjects('te.project_id', projectIds)}
        and (pr.billing_model <> 'time_and_materials' or te.billable)
        and (${options.through ?? null}::date is null or te.work_date <= ${options.through ?? null}::date)
    ),
    -- Each entry's line on the project's card, then on the organisation's default card: hash joins over
    -- the few dozen lines, grouped per entry, rather than two lateral lookups per entry (for a demo project's
    -- 500 entries 21 ms of execution against 8). Each CTE is read once, so Postgres inlines it and keeps its
    -- row estimates (a CTE read twice is materialised, and was joined in nested loops).
    card_priced as (
      select e.id, e.project_id, e.hours, e.work_date, e.organisation_id, e.role_id, e.role_rate,
        (array_agg(l.bill_rate_minor order by l.effective_from desc) filter (where l.id is not null))[1]
          as card_rate
      from entries e
      left join public.rate_card_lines l on l.rate_card_id = e.rate_card_id and l.role_id = e.role_id
        and l.effective_from <= e.work_date and (l.effective_to is null or e.work_date <= l.effective_to)
      group by e.id, e.project_id, e.hours, e.work_date, e.organisation_id, e.role_id, e.role_rate
    ),
    priced as (
      select e.id, e.project_id, e.hours,
        coalesce(e.card_rate,
          (array_agg(l.bill_rate_minor order by l.effective_from desc) filter (where l.id is not null))[1],
          e.role_rate) as rate
      from card_priced e
      left join (public.rate_cards c
        join public.rate_card_lines l on l.rate_card_id = c.id and l.organisation_id = c.organisation_id)
        on c.organisation_id = e.organisation_id and c.is_default and l.role_id = e.role_id
          and l.effective_from <= e.work_date and (l.effective_to is null or e.work_date <= l.effective_to)
      group by e.id, e.project_id, e.hours, e.card_rate, e.role_rate
    )
    select pr.id, coalesce(sum(e.hours), 0)::text as hours,
      coalesce(sum(round(e.hours * e.rate)), 0)::bigint::text as burn_minor, pr.budget_minor::text
    from public.projects pr
    left join priced e on e.project_id = pr.id
    where ${ofProjects('pr.id', projectIds)}
    group by pr.id
  `.execute(tx)
  const burns = new Map<string, BudgetBurn>(
    projectIds.map((id) => [id, { hours: '0', burnMinor: '0', budgetMinor: null, burnPct: null }]),
  )
  for (const r of rows.rows) {
    const budget = r.budget_minor === null ? null : BigInt(r.budget_minor)
    burns.set(r.id, {
      hours: r.hours,
      burnMinor: r.burn_minor,
      budgetMinor: r.budget_minor,
      burnPct:
        budget === null || budget === 0n
          ? null
          : (Number((BigInt(r.burn_minor) * 1000n) / budget) / 10).toFixed(1),
    })
  }
  return burns
}
