import { randomUUID } from 'node:crypto'
import type postgres from 'postgres'
import type { Tenant, TenantUser } from './tenant.js'

// The tenant fixture's rows: the domain slice, and one row in every table the slice leaves empty.

/** Rows of the slice that `ids` does not name, and of the tables only `every-table` fills. */
export function extraIds() {
  const id = () => randomUUID()
  return {
    personSkill: id(),
    timeEntry: id(),
    holiday: id(),
    timeOff: id(),
    rateCard: id(),
    rateCardLine: id(),
    baseline: id(),
    session: id(),
    log: id(),
    proposal: id(),
    deadLetter: id(),
  }
}

export type Sql = postgres.Sql | postgres.TransactionSql

interface SliceIds {
  orgId: string
  ids: Tenant['ids']
  extra: ReturnType<typeof extraIds>
  member: TenantUser
}

export async function insertDomain(
  tx: Sql,
  { orgId, otherOrgId, tag, ids, extra, member }: SliceIds & { otherOrgId: string; tag: string },
): Promise<void> {
  await tx`insert into public.locations (id, organisation_id, name, country_code, timezone)
    values (${ids.location}, ${orgId}, 'New York', 'US', 'America/New_York')`
  await tx`insert into public.roles (id, organisation_id, name, cost_rate_minor, bill_rate_minor) values
    (${ids.developerRole}, ${orgId}, 'Developer', 6000, 15000),
    (${ids.designerRole}, ${orgId}, 'Designer', 5000, 12000),
    (${ids.otherRole}, ${otherOrgId}, 'Developer', 5500, 14000)`
  await tx`insert into public.skills (id, organisation_id, name, category) values
    (${ids.reactSkill}, ${orgId}, 'React', 'Frontend'),
    (${ids.figmaSkill}, ${orgId}, 'Figma', 'Design')`
  await tx`insert into public.people (id, organisation_id, user_id, full_name, email, role_id, level, location_id,
      cost_rate_minor, bill_rate_minor, weekly_capacity_hours, utilisation_target_pct, employment_start) values
    (${ids.people[0]}, ${orgId}, ${member.id}, 'Ada Lovelace', ${member.email}, ${ids.developerRole}, 4,
      ${ids.location}, 7000, 16000, 40, 80, '2020-01-06'),
    (${ids.people[1]}, ${orgId}, null, 'Grace Hopper', null, ${ids.developerRole}, 5, ${ids.location},
      8000, 18000, 40, 75, '2018-03-01'),
    (${ids.people[2]}, ${orgId}, null, 'Dieter Rams', null, ${ids.designerRole}, 3, ${ids.location},
      5000, 12000, 32, 80, '2021-09-01')`
  await tx`insert into public.person_skills (id, organisation_id, person_id, skill_id, proficiency) values
    (${extra.personSkill}, ${orgId}, ${ids.people[0]}, ${ids.reactSkill}, 5),
    (${randomUUID()}, ${orgId}, ${ids.people[1]}, ${ids.reactSkill}, 3),
    (${randomUUID()}, ${orgId}, ${ids.people[2]}, ${ids.figmaSkill}, 4)`
  await tx`insert into public.clients (id, organisation_id, name, industry) values
    (${ids.client}, ${orgId}, 'Acme Corp', 'Retail'),
    (${ids.otherClient}, ${otherOrgId}, 'Blue Client', 'Media')`
  await tx`insert into public.projects (id, organisation_id, client_id, name, code, status, billing_model,
      budget_minor, currency, starts_on, ends_on, health, manager_person_id) values
    (${ids.project}, ${orgId}, ${ids.client}, 'Acme website rebuild', ${`ACME-${tag}`}, 'active',
      'time_and_materials', 15000000, 'USD', '2027-01-04', '2027-03-26', 'green', ${ids.people[1]}),
    (${ids.otherProject}, ${otherOrgId}, ${ids.otherClient}, 'Blue brand refresh', ${`BLUE-${tag}`}, 'active',
      'fixed_fee', 5000000, 'EUR', '2027-02-01', '2027-04-30', 'amber', null)`
  await tx`insert into public.phases (id, organisation_id, project_id, name, sequence, starts_on, ends_on) values
    (${ids.phases[0]}, ${orgId}, ${ids.project}, 'Discovery', 1, '2027-01-04', '2027-01-22'),
    (${ids.phases[1]}, ${orgId}, ${ids.project}, 'Build', 2, '2027-01-25', '2027-03-26')`
  await tx`insert into public.tasks (id, organisation_id, project_id, phase_id, name, role_id, estimate_hours,
      starts_on, ends_on, status, percent_complete, assignee_person_id) values
    (${ids.tasks[0]}, ${orgId}, ${ids.project}, ${ids.phases[0]}, 'Stakeholder interviews', ${ids.designerRole},
      40, '2027-01-04', '2027-01-15', 'done', 100, ${ids.people[2]}),
    (${ids.tasks[1]}, ${orgId}, ${ids.project}, ${ids.phases[1]}, 'Build front end', ${ids.developerRole},
      200, '2027-01-25', '2027-03-12', 'in_progress', 25, ${ids.people[0]}),
    (${ids.tasks[2]}, ${orgId}, ${ids.project}, ${ids.phases[1]}, 'Launch', ${ids.developerRole},
      16, '2027-03-15', '2027-03-26', 'not_started', 0, null)`
  await tx`insert into public.task_dependencies (id, organisation_id, project_id, predecessor_task_id,
      successor_task_id, dependency_type, lag_days)
    values (${ids.dependency}, ${orgId}, ${ids.project}, ${ids.tasks[1]}, ${ids.tasks[2]}, 'finish_to_start', 1)`
  await tx`insert into public.milestones (id, organisation_id, project_id, name, due_on)
    values (${ids.milestone}, ${orgId}, ${ids.project}, 'Go live', '2027-03-26')`
  await tx`insert into public.resource_requests (id, organisation_id, project_id, role_id, skill_id,
      min_proficiency, hours_per_week, starts_on, ends_on, status)
    values (${ids.resourceRequest}, ${orgId}, ${ids.project}, ${ids.developerRole}, ${ids.reactSkill}, 4, 20,
      '2027-01-25', '2027-03-12', 'open')`
  await tx`insert into public.allocations (id, organisation_id, project_id, person_id, task_id,
      resource_request_id, kind, starts_on, ends_on, hours_per_week)
    values (${ids.allocation}, ${orgId}, ${ids.project}, ${ids.people[0]}, ${ids.tasks[1]}, ${ids.resourceRequest},
      'hard', '2027-01-25', '2027-03-12', 30)`
  await tx`insert into public.time_entries (id, organisation_id, person_id, project_id, task_id, work_date, hours,
      billable) values
    (${randomUUID()}, ${orgId}, ${ids.people[2]}, ${ids.project}, ${ids.tasks[0]}, '2027-01-05', 8, true),
    (${extra.timeEntry}, ${orgId}, ${ids.people[0]}, ${ids.project}, ${ids.tasks[1]}, '2027-01-26', 6.5, true),
    (${randomUUID()}, ${orgId}, ${ids.people[0]}, ${ids.project}, null, '2027-01-27', 2, false)`
  await tx`insert into public.quotes (id, organisation_id, client_id, title, status, current_version, valid_until)
    values (${ids.quote}, ${orgId}, ${ids.client}, 'Acme rebuild quote', 'draft', 1, '2027-02-28')`
  await tx`insert into public.quote_versions (id, organisation_id, quote_id, version_number, pricing_model,
      currency, contingency_pct, target_margin_pct, discount_pct, cost_minor, price_minor, margin_pct,
      p50_price_minor, p80_price_minor)
    values (${ids.quoteVersion}, ${orgId}, ${ids.quote}, 1, 'time_and_materials', 'USD', 10, 30, 5,
      1500000, 3600000, 58.33, 3500000, 3900000)`
  await tx`insert into public.quote_lines (id, organisation_id, quote_version_id, role_id, description,
      optimistic_hours, likely_hours, pessimistic_hours, cost_rate_minor, bill_rate_minor, sort_order) values
    (${ids.quoteLines[0]}, ${orgId}, ${ids.quoteVersion}, ${ids.developerRole}, 'Senior development', 180, 200,
      260, 6000, 15000, 1),
    (${ids.quoteLines[1]}, ${orgId}, ${ids.quoteVersion}, ${ids.designerRole}, 'Design', 60, 80, 110, 5000,
      12000, 2)`
}

export async function insertEveryOtherTable(
  tx: Sql,
  { orgId, ids, extra, member, manager }: SliceIds & { manager: TenantUser },
): Promise<void> {
  await tx`insert into public.holidays (id, organisation_id, location_id, holiday_date, name)
    values (${extra.holiday}, ${orgId}, ${ids.location}, '2027-01-01', 'New Year''s Day')`
  await tx`insert into public.time_off (id, organisation_id, person_id, starts_on, ends_on, kind, hours_per_day)
    values (${extra.timeOff}, ${orgId}, ${ids.people[0]}, '2027-02-01', '2027-02-05', 'vacation', 8)`
  await tx`insert into public.rate_cards (id, organisation_id, name, client_id, currency, is_default)
    values (${extra.rateCard}, ${orgId}, 'Standard', null, 'USD', true)`
  await tx`insert into public.rate_card_lines (id, organisation_id, rate_card_id, role_id, bill_rate_minor,
      effective_from)
    values (${extra.rateCardLine}, ${orgId}, ${extra.rateCard}, ${ids.developerRole}, 15000, '2026-01-01')`
  await tx`insert into public.baselines (id, organisation_id, project_id, name, snapshot, created_by)
    values (${extra.baseline}, ${orgId}, ${ids.project}, 'Initial plan', '{"tasks":[]}', ${manager.id})`
  await tx`insert into public.agent_sessions (id, organisation_id, user_id, agent_type, request, status)
    values (${extra.session}, ${orgId}, ${member.id}, 'project_management', 'Plan the website rebuild', 'queued')`
  await tx`insert into public.agent_logs (id, organisation_id, session_id, seq, event_type, agent_name, message)
    values (${extra.log}, ${orgId}, ${extra.session}, 1, 'status', 'project_management', 'queued')`
  await tx`insert into public.proposals (id, organisation_id, session_id, agent_type, title, changeset)
    values (${extra.proposal}, ${orgId}, ${extra.session}, 'project_management', 'Add discovery phase',
      '{"operations":[]}')`
  await tx`insert into public.agent_dead_letters (id, organisation_id, session_id, agent_type, payload, reason,
      deliveries)
    values (${extra.deadLetter}, ${orgId}, ${extra.session}, 'project_management', '{}', 'max deliveries', 5)`
}
