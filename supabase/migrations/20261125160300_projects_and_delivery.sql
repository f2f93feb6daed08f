-- Delivery: projects with phases, tasks, dependencies, milestones and baselines; resource requests,
-- allocations and time entries. Project children reference each other through (project_id, id) keys, so a
-- task's phase, a dependency's tasks and an allocation's task always belong to the same project.

create table public.projects (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  client_id uuid not null,
  name text not null,
  code text not null,
  description text,
  status public.project_status not null default 'active',
  win_probability_pct numeric(5, 2),
  billing_model public.billing_model not null default 'time_and_materials',
  budget_minor bigint,
  currency char(3) not null,
  starts_on date not null,
  ends_on date not null,
  health public.project_health not null default 'green',
  manager_person_id uuid,
  rate_card_id uuid,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint projects_organisation_id_id_key unique (organisation_id, id),
  constraint projects_organisation_id_code_key unique (organisation_id, code),
  constraint projects_client_fkey foreign key (organisation_id, client_id)
    references public.clients (organisation_id, id),
  constraint projects_manager_person_fkey foreign key (organisation_id, manager_person_id)
    references public.people (organisation_id, id) on delete set null (manager_person_id),
  constraint projects_rate_card_fkey foreign key (organisation_id, rate_card_id)
    references public.rate_cards (organisation_id, id) on delete set null (rate_card_id),
  constraint projects_name_not_blank check (btrim(name) <> ''),
  constraint projects_code_not_blank check (btrim(code) <> ''),
  constraint projects_win_probability_iff_tentative
    check ((status = 'tentative') = (win_probability_pct is not null)),
  constraint projects_win_probability_pct_range check (win_probability_pct between 0 and 100),
  constraint projects_budget_non_negative check (budget_minor >= 0),
  constraint projects_currency_iso check (currency ~ '^[A-Z]{3}$'),
  constraint projects_dates_ordered check (ends_on >= starts_on)
);
create index projects_organisation_id_client_id_idx on public.projects (organisation_id, client_id);
create index projects_organisation_id_manager_person_id_idx on public.projects (organisation_id, manager_person_id);
create index projects_organisation_id_rate_card_id_idx on public.projects (organisation_id, rate_card_id);
create trigger projects_set_updated_at before update on public.projects
  for each row execute function private.set_updated_at();
create trigger projects_bump_version before update on public.projects
  for each row execute function private.bump_version();

create table public.phases (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  project_id uuid not null,
  name text not null,
  sequence integer not null,
  starts_on date,
  ends_on date,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint phases_project_id_id_key unique (project_id, id),
  constraint phases_project_fkey foreign key (organisation_id, project_id)
    references public.projects (organisation_id, id) on delete cascade,
  -- Deferrable so a plan can be re-sequenced in one transaction (`set constraints ... deferred`).
  constraint phases_project_id_sequence_key unique (project_id, sequence) deferrable initially immediate,
  constraint phases_name_not_blank check (btrim(name) <> ''),
  constraint phases_sequence_positive check (sequence >= 1),
  constraint phases_dates_ordered check (ends_on >= starts_on)
);
create index phases_organisation_id_project_id_idx on public.phases (organisation_id, project_id);
create trigger phases_set_updated_at before update on public.phases
  for each row execute function private.set_updated_at();
create trigger phases_bump_version before update on public.phases
  for each row execute function private.bump_version();

create table public.tasks (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  project_id uuid not null,
  phase_id uuid,
  name text not null,
  role_id uuid,
  estimate_hours numeric(7, 2) not null default 0,
  starts_on date,
  ends_on date,
  status public.task_status not null default 'not_started',
  percent_complete numeric(5, 2) not null default 0,
  assignee_person_id uuid,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint tasks_project_id_id_key unique (project_id, id),
  constraint tasks_project_fkey foreign key (organisation_id, project_id)
    references public.projects (organisation_id, id) on delete cascade,
  constraint tasks_phase_fkey foreign key (project_id, phase_id)
    references public.phases (project_id, id) on delete set null (phase_id),
  constraint tasks_role_fkey foreign key (organisation_id, role_id)
    references public.roles (organisation_id, id) on delete set null (role_id),
  constraint tasks_assignee_person_fkey foreign key (organisation_id, assignee_person_id)
    references public.people (organisation_id, id) on delete set null (assignee_person_id),
  constraint tasks_name_not_blank check (btrim(name) <> ''),
  constraint tasks_estimate_hours_non_negative check (estimate_hours >= 0),
  constraint tasks_percent_complete_range check (percent_complete between 0 and 100),
  constraint tasks_dates_ordered check (ends_on >= starts_on)
);
create index tasks_organisation_id_project_id_idx on public.tasks (organisation_id, project_id);
create index tasks_project_id_phase_id_idx on public.tasks (project_id, phase_id);
create index tasks_organisation_id_role_id_idx on public.tasks (organisation_id, role_id);
create index tasks_organisation_id_assignee_person_id_idx on public.tasks (organisation_id, assignee_person_id);
create trigger tasks_set_updated_at before update on public.tasks
  for each row execute function private.set_updated_at();
create trigger tasks_bump_version before update on public.tasks
  for each row execute function private.bump_version();

create table public.task_dependencies (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  project_id uuid not null,
  predecessor_task_id uuid not null,
  successor_task_id uuid not null,
  dependency_type public.dependency_type not null default 'finish_to_start',
  lag_days integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint task_dependencies_project_fkey foreign key (organisation_id, project_id)
    references public.projects (organisation_id, id) on delete cascade,
  constraint task_dependencies_predecessor_fkey foreign key (project_id, predecessor_task_id)
    references public.tasks (project_id, id) on delete cascade,
  constraint task_dependencies_successor_fkey foreign key (project_id, successor_task_id)
    references public.tasks (project_id, id) on delete cascade,
  constraint task_dependencies_predecessor_task_id_successor_task_id_key
    unique (predecessor_task_id, successor_task_id),
  constraint task_dependencies_not_self check (predecessor_task_id <> successor_task_id),
  constraint task_dependencies_lag_days_range check (lag_days between -3650 and 3650)
);
create index task_dependencies_organisation_id_project_id_idx
  on public.task_dependencies (organisation_id, project_id);
create index task_dependencies_project_id_predecessor_task_id_idx
  on public.task_dependencies (project_id, predecessor_task_id);
create index task_dependencies_project_id_successor_task_id_idx
  on public.task_dependencies (project_id, successor_task_id);
create trigger task_dependencies_set_updated_at before update on public.task_dependencies
  for each row execute function private.set_updated_at();

-- The dependency graph must stay acyclic (the scheduler's critical path needs a DAG). The per-project
-- advisory lock serialises concurrent edits of one plan, so two writers cannot each add half of a cycle.
create function private.prevent_dependency_cycle()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  perform pg_advisory_xact_lock(hashtextextended('task_dependencies:' || new.project_id::text, 0));
  if exists (
    with recursive reachable (task_id) as (
      select d.successor_task_id
      from public.task_dependencies d
      where d.predecessor_task_id = new.successor_task_id and d.id <> new.id
      union
      select d.successor_task_id
      from public.task_dependencies d
      join reachable r on d.predecessor_task_id = r.task_id
      where d.id <> new.id
    )
    select from reachable where task_id = new.predecessor_task_id
  ) then
    raise exception 'task dependency % -> % would create a cycle', new.predecessor_task_id, new.successor_task_id
      using errcode = 'check_violation', constraint = 'task_dependencies_acyclic',
        table = 'task_dependencies', schema = 'public';
  end if;
  return new;
end
$$;
revoke all on function private.prevent_dependency_cycle() from public;
create trigger task_dependencies_prevent_cycle
  before insert or update of predecessor_task_id, successor_task_id on public.task_dependencies
  for each row execute function private.prevent_dependency_cycle();

create table public.milestones (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  project_id uuid not null,
  name text not null,
  due_on date not null,
  completed_on date,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint milestones_project_fkey foreign key (organisation_id, project_id)
    references public.projects (organisation_id, id) on delete cascade,
  constraint milestones_name_not_blank check (btrim(name) <> '')
);
create index milestones_organisation_id_project_id_idx on public.milestones (organisation_id, project_id, due_on);
-- "Late milestones" across an organisation.
create index milestones_open_due_on_idx on public.milestones (organisation_id, due_on) where completed_on is null;
create trigger milestones_set_updated_at before update on public.milestones
  for each row execute function private.set_updated_at();
create trigger milestones_bump_version before update on public.milestones
  for each row execute function private.bump_version();

create table public.baselines (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  project_id uuid not null,
  name text not null,
  snapshot jsonb not null,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint baselines_project_fkey foreign key (organisation_id, project_id)
    references public.projects (organisation_id, id) on delete cascade,
  constraint baselines_name_not_blank check (btrim(name) <> ''),
  constraint baselines_snapshot_is_object check (jsonb_typeof(snapshot) = 'object')
);
create index baselines_organisation_id_project_id_idx on public.baselines (organisation_id, project_id);
create index baselines_created_by_idx on public.baselines (created_by);
create trigger baselines_set_updated_at before update on public.baselines
  for each row execute function private.set_updated_at();

create table public.resource_requests (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  project_id uuid not null,
  role_id uuid not null,
  skill_id uuid,
  min_proficiency smallint,
  hours_per_week numeric(5, 2) not null,
  starts_on date not null,
  ends_on date not null,
  status public.resource_request_status not null default 'open',
  notes text,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint resource_requests_project_id_id_key unique (project_id, id),
  constraint resource_requests_project_fkey foreign key (organisation_id, project_id)
    references public.projects (organisation_id, id) on delete cascade,
  constraint resource_requests_role_fkey foreign key (organisation_id, role_id)
    references public.roles (organisation_id, id),
  constraint resource_requests_skill_fkey foreign key (organisation_id, skill_id)
    references public.skills (organisation_id, id) on delete set null (skill_id),
  constraint resource_requests_min_proficiency_range check (min_proficiency between 1 and 5),
  constraint resource_requests_hours_per_week_range check (hours_per_week > 0 and hours_per_week <= 168),
  constraint resource_requests_dates_ordered check (ends_on >= starts_on)
);
create index resource_requests_organisation_id_project_id_idx
  on public.resource_requests (organisation_id, project_id);
create index resource_requests_organisation_id_role_id_idx on public.resource_requests (organisation_id, role_id);
create index resource_requests_organisation_id_skill_id_idx on public.resource_requests (organisation_id, skill_id);
create trigger resource_requests_set_updated_at before update on public.resource_requests
  for each row execute function private.set_updated_at();
create trigger resource_requests_bump_version before update on public.resource_requests
  for each row execute function private.bump_version();

create table public.allocations (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  project_id uuid not null,
  person_id uuid not null,
  task_id uuid,
  resource_request_id uuid,
  kind public.allocation_kind not null default 'soft',
  starts_on date not null,
  ends_on date not null,
  hours_per_week numeric(5, 2) not null,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint allocations_project_fkey foreign key (organisation_id, project_id)
    references public.projects (organisation_id, id) on delete cascade,
  constraint allocations_person_fkey foreign key (organisation_id, person_id)
    references public.people (organisation_id, id) on delete cascade,
  constraint allocations_task_fkey foreign key (project_id, task_id)
    references public.tasks (project_id, id) on delete set null (task_id),
  constraint allocations_resource_request_fkey foreign key (project_id, resource_request_id)
    references public.resource_requests (project_id, id) on delete set null (resource_request_id),
  constraint allocations_dates_ordered check (ends_on >= starts_on),
  constraint allocations_hours_per_week_range check (hours_per_week > 0 and hours_per_week <= 168)
);
create index allocations_organisation_id_project_id_idx on public.allocations (organisation_id, project_id);
create index allocations_organisation_id_person_id_idx on public.allocations (organisation_id, person_id);
create index allocations_project_id_task_id_idx on public.allocations (project_id, task_id);
create index allocations_project_id_resource_request_id_idx on public.allocations (project_id, resource_request_id);
-- A person's bookings overlapping a date range (utilisation, double-booking checks).
create index allocations_person_id_dates_idx on public.allocations (person_id, starts_on, ends_on)
  include (hours_per_week, kind);
create trigger allocations_set_updated_at before update on public.allocations
  for each row execute function private.set_updated_at();
create trigger allocations_bump_version before update on public.allocations
  for each row execute function private.bump_version();

-- Booked time is a financial record: deleting a person or project that has time entries fails (no action)
-- instead of silently erasing hours; deleting the whole organisation still removes everything.
create table public.time_entries (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  person_id uuid not null,
  project_id uuid not null,
  task_id uuid,
  work_date date not null,
  hours numeric(5, 2) not null,
  billable boolean not null default true,
  notes text,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint time_entries_person_fkey foreign key (organisation_id, person_id)
    references public.people (organisation_id, id),
  constraint time_entries_project_fkey foreign key (organisation_id, project_id)
    references public.projects (organisation_id, id),
  constraint time_entries_task_fkey foreign key (project_id, task_id)
    references public.tasks (project_id, id) on delete set null (task_id),
  constraint time_entries_hours_range check (hours > 0 and hours <= 24)
);
create index time_entries_organisation_id_person_id_idx on public.time_entries (organisation_id, person_id);
create index time_entries_organisation_id_project_id_idx on public.time_entries (organisation_id, project_id);
create index time_entries_project_id_task_id_idx on public.time_entries (project_id, task_id);
-- Burn by project over time, and a person's timesheet.
create index time_entries_project_id_work_date_idx on public.time_entries (project_id, work_date)
  include (hours, billable);
create index time_entries_person_id_work_date_idx on public.time_entries (person_id, work_date);
create trigger time_entries_set_updated_at before update on public.time_entries
  for each row execute function private.set_updated_at();
create trigger time_entries_bump_version before update on public.time_entries
  for each row execute function private.bump_version();

-- Row level security: managers plan and staff; members update progress on tasks assigned to them and log
-- their own time.

alter table public.projects enable row level security;
alter table public.phases enable row level security;
alter table public.tasks enable row level security;
alter table public.task_dependencies enable row level security;
alter table public.milestones enable row level security;
alter table public.baselines enable row level security;
alter table public.resource_requests enable row level security;
alter table public.allocations enable row level security;
alter table public.time_entries enable row level security;

create policy "members read" on public.projects
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "managers insert" on public.projects
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers update" on public.projects
  for update to authenticated
  using (organisation_id in (select private.org_ids('manager')))
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers delete" on public.projects
  for delete to authenticated
  using (organisation_id in (select private.org_ids('manager')));

create policy "members read" on public.phases
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "managers insert" on public.phases
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers update" on public.phases
  for update to authenticated
  using (organisation_id in (select private.org_ids('manager')))
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers delete" on public.phases
  for delete to authenticated
  using (organisation_id in (select private.org_ids('manager')));

create policy "members read" on public.tasks
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "managers insert" on public.tasks
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers or the assignee update" on public.tasks
  for update to authenticated
  using (
    organisation_id in (select private.org_ids('manager'))
    or (
      organisation_id in (select private.org_ids('member'))
      and assignee_person_id in (select private.person_ids())
    )
  )
  with check (
    organisation_id in (select private.org_ids('manager'))
    or (
      organisation_id in (select private.org_ids('member'))
      and assignee_person_id in (select private.person_ids())
    )
  );
create policy "managers delete" on public.tasks
  for delete to authenticated
  using (organisation_id in (select private.org_ids('manager')));

create policy "members read" on public.task_dependencies
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "managers insert" on public.task_dependencies
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers update" on public.task_dependencies
  for update to authenticated
  using (organisation_id in (select private.org_ids('manager')))
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers delete" on public.task_dependencies
  for delete to authenticated
  using (organisation_id in (select private.org_ids('manager')));

create policy "members read" on public.milestones
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "managers insert" on public.milestones
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers update" on public.milestones
  for update to authenticated
  using (organisation_id in (select private.org_ids('manager')))
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers delete" on public.milestones
  for delete to authenticated
  using (organisation_id in (select private.org_ids('manager')));

create policy "members read" on public.baselines
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "managers insert" on public.baselines
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers update" on public.baselines
  for update to authenticated
  using (organisation_id in (select private.org_ids('manager')))
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers delete" on public.baselines
  for delete to authenticated
  using (organisation_id in (select private.org_ids('manager')));

create policy "members read" on public.resource_requests
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "managers insert" on public.resource_requests
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers update" on public.resource_requests
  for update to authenticated
  using (organisation_id in (select private.org_ids('manager')))
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers delete" on public.resource_requests
  for delete to authenticated
  using (organisation_id in (select private.org_ids('manager')));

create policy "members read" on public.allocations
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "managers insert" on public.allocations
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers update" on public.allocations
  for update to authenticated
  using (organisation_id in (select private.org_ids('manager')))
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers delete" on public.allocations
  for delete to authenticated
  using (organisation_id in (select private.org_ids('manager')));

create policy "members read" on public.time_entries
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "managers or the person insert" on public.time_entries
  for insert to authenticated
  with check (
    organisation_id in (select private.org_ids('manager'))
    or (organisation_id in (select private.org_ids('member')) and person_id in (select private.person_ids()))
  );
create policy "managers or the person update" on public.time_entries
  for update to authenticated
  using (
    organisation_id in (select private.org_ids('manager'))
    or (organisation_id in (select private.org_ids('member')) and person_id in (select private.person_ids()))
  )
  with check (
    organisation_id in (select private.org_ids('manager'))
    or (organisation_id in (select private.org_ids('member')) and person_id in (select private.person_ids()))
  );
create policy "managers or the person delete" on public.time_entries
  for delete to authenticated
  using (
    organisation_id in (select private.org_ids('manager'))
    or (organisation_id in (select private.org_ids('member')) and person_id in (select private.person_ids()))
  );
