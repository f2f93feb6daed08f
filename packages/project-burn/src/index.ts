import { sql, type Tx } from '@psa/db'

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
    where te.project_id = any(${[...projectIds]}::uuid[])
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
