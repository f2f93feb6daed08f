-- Tenancy (organisations, memberships), the helpers every policy uses, and the resource side of the domain:
-- locations and holidays, roles, skills, people, their skills and time off.
--
-- Conventions used by every table from here on:
-- * organisation_id on every row; parent/child rows are tied with composite foreign keys
--   (organisation_id, parent_id) -> parent (organisation_id, id), so a child can never point at another
--   organisation's row, and each parent carries unique (organisation_id, id) for them to reference.
-- * Every foreign key has an index whose leading columns are exactly the key's columns.
-- * RLS is enabled in the same migration that creates a table, with one permissive policy per action, all
--   `to authenticated`; `anon` has no policy anywhere, and service_role bypasses RLS.

create table public.organisations (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  slug text not null,
  currency char(3) not null,
  timezone text not null default 'UTC',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint organisations_slug_key unique (slug),
  constraint organisations_name_not_blank check (btrim(name) <> ''),
  constraint organisations_slug_format check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) <= 63),
  constraint organisations_currency_iso check (currency ~ '^[A-Z]{3}$'),
  constraint organisations_timezone_valid check (private.is_time_zone(timezone))
);
create trigger organisations_set_updated_at before update on public.organisations
  for each row execute function private.set_updated_at();

create table public.memberships (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.membership_role not null default 'member',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint memberships_organisation_id_user_id_key unique (organisation_id, user_id)
);
-- Serves the policy helpers (a user's organisations at or above a role) as an index-only scan.
create index memberships_user_id_role_idx on public.memberships (user_id, role, organisation_id);
create trigger memberships_set_updated_at before update on public.memberships
  for each row execute function private.set_updated_at();

-- An organisation may not lose its last owner (by delete, demotion or move), except when the organisation
-- itself is being deleted and its memberships go with it. security definer: it must see every membership and
-- the organisation itself, including right after the acting user's own membership row is gone.
create function private.keep_an_owner()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  if old.role = 'owner'
    and (tg_op = 'DELETE' or new.role <> 'owner' or new.organisation_id <> old.organisation_id)
    and exists (select from public.organisations o where o.id = old.organisation_id)
    and not exists (
      select from public.memberships m
      where m.organisation_id = old.organisation_id and m.role = 'owner' and m.id <> old.id
    )
  then
    raise exception 'an organisation must keep at least one owner'
      using errcode = 'check_violation', constraint = 'memberships_last_owner',
        table = 'memberships', schema = 'public';
  end if;
  return null;
end
$$;
revoke all on function private.keep_an_owner() from public;
create trigger memberships_keep_an_owner after update of role, organisation_id or delete on public.memberships
  for each row execute function private.keep_an_owner();

-- The organisations in which the current user holds at least min_role. Policies call it as
-- `organisation_id in (select private.org_ids('manager'))` (Supabase's recommended shape): the uncorrelated
-- sub-select runs once per statement instead of once per row. security definer so that reading memberships
-- does not recurse into memberships' own policies; `rows 5` because a user belongs to few organisations.
create function private.org_ids(min_role public.membership_role)
  returns setof uuid
  language sql
  stable
  security definer
  rows 5
  set search_path = ''
as $$
  select m.organisation_id
  from public.memberships m
  where m.user_id = (select auth.uid()) and m.role <= min_role
$$;
revoke all on function private.org_ids(public.membership_role) from public;
grant execute on function private.org_ids(public.membership_role) to authenticated, service_role;

create table public.locations (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  name text not null,
  country_code char(2) not null,
  timezone text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint locations_organisation_id_id_key unique (organisation_id, id),
  constraint locations_organisation_id_name_key unique (organisation_id, name),
  constraint locations_name_not_blank check (btrim(name) <> ''),
  constraint locations_country_code_iso check (country_code ~ '^[A-Z]{2}$'),
  constraint locations_timezone_valid check (private.is_time_zone(timezone))
);
create trigger locations_set_updated_at before update on public.locations
  for each row execute function private.set_updated_at();

create table public.holidays (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  location_id uuid not null,
  holiday_date date not null,
  name text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint holidays_location_fkey foreign key (organisation_id, location_id)
    references public.locations (organisation_id, id) on delete cascade,
  constraint holidays_location_id_holiday_date_key unique (location_id, holiday_date),
  constraint holidays_name_not_blank check (btrim(name) <> '')
);
create index holidays_organisation_id_location_id_idx on public.holidays (organisation_id, location_id);
create trigger holidays_set_updated_at before update on public.holidays
  for each row execute function private.set_updated_at();

create table public.roles (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  name text not null,
  cost_rate_minor bigint not null,
  bill_rate_minor bigint not null,
  utilisation_target_pct numeric(5, 2) not null default 80,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint roles_organisation_id_id_key unique (organisation_id, id),
  constraint roles_organisation_id_name_key unique (organisation_id, name),
  constraint roles_name_not_blank check (btrim(name) <> ''),
  constraint roles_cost_rate_non_negative check (cost_rate_minor >= 0),
  constraint roles_bill_rate_non_negative check (bill_rate_minor >= 0),
  constraint roles_utilisation_target_pct_range check (utilisation_target_pct between 0 and 100)
);
create trigger roles_set_updated_at before update on public.roles
  for each row execute function private.set_updated_at();

create table public.skills (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  name text not null,
  category text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint skills_organisation_id_id_key unique (organisation_id, id),
  constraint skills_organisation_id_name_key unique (organisation_id, name),
  constraint skills_name_not_blank check (btrim(name) <> '')
);
create trigger skills_set_updated_at before update on public.skills
  for each row execute function private.set_updated_at();

create table public.people (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  user_id uuid references auth.users (id) on delete set null,
  full_name text not null,
  email text,
  role_id uuid not null,
  level smallint not null,
  location_id uuid,
  cost_rate_minor bigint not null,
  bill_rate_minor bigint not null,
  weekly_capacity_hours numeric(5, 2) not null default 40,
  utilisation_target_pct numeric(5, 2) not null default 80,
  employment_start date not null,
  employment_end date,
  active boolean not null default true,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint people_organisation_id_id_key unique (organisation_id, id),
  constraint people_role_fkey foreign key (organisation_id, role_id)
    references public.roles (organisation_id, id),
  constraint people_location_fkey foreign key (organisation_id, location_id)
    references public.locations (organisation_id, id) on delete set null (location_id),
  constraint people_full_name_not_blank check (btrim(full_name) <> ''),
  constraint people_email_format check (email is null or email ~ '^[^@\s]+@[^@\s]+$'),
  constraint people_level_range check (level between 1 and 5),
  constraint people_cost_rate_non_negative check (cost_rate_minor >= 0),
  constraint people_bill_rate_non_negative check (bill_rate_minor >= 0),
  constraint people_weekly_capacity_hours_range check (weekly_capacity_hours between 0 and 168),
  constraint people_utilisation_target_pct_range check (utilisation_target_pct between 0 and 100),
  constraint people_employment_dates_ordered check (employment_end is null or employment_end >= employment_start)
);
create index people_organisation_id_role_id_idx on public.people (organisation_id, role_id);
create index people_organisation_id_location_id_idx on public.people (organisation_id, location_id);
-- One person record per user per organisation; also covers the auth.users foreign key.
create unique index people_user_id_organisation_id_key on public.people (user_id, organisation_id);
create unique index people_organisation_id_email_key on public.people (organisation_id, lower(email));
create trigger people_set_updated_at before update on public.people
  for each row execute function private.set_updated_at();
create trigger people_bump_version before update on public.people
  for each row execute function private.bump_version();

-- The person records of the current user (one per organisation they are staffed in), for "own rows"
-- policies such as time entries. security definer for the same reason as org_ids.
create function private.person_ids()
  returns setof uuid
  language sql
  stable
  security definer
  rows 5
  set search_path = ''
as $$
  select p.id
  from public.people p
  where p.user_id = (select auth.uid())
$$;
revoke all on function private.person_ids() from public;
grant execute on function private.person_ids() to authenticated, service_role;

create table public.person_skills (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  person_id uuid not null,
  skill_id uuid not null,
  proficiency smallint not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint person_skills_person_fkey foreign key (organisation_id, person_id)
    references public.people (organisation_id, id) on delete cascade,
  constraint person_skills_skill_fkey foreign key (organisation_id, skill_id)
    references public.skills (organisation_id, id) on delete cascade,
  constraint person_skills_person_id_skill_id_key unique (person_id, skill_id),
  constraint person_skills_proficiency_range check (proficiency between 1 and 5)
);
create index person_skills_organisation_id_person_id_idx on public.person_skills (organisation_id, person_id);
-- Also answers "who has skill X at proficiency >= n" for staffing.
create index person_skills_organisation_id_skill_id_idx
  on public.person_skills (organisation_id, skill_id, proficiency);
create trigger person_skills_set_updated_at before update on public.person_skills
  for each row execute function private.set_updated_at();

create table public.time_off (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  person_id uuid not null,
  starts_on date not null,
  ends_on date not null,
  kind public.time_off_kind not null default 'vacation',
  hours_per_day numeric(4, 2) not null default 8,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint time_off_person_fkey foreign key (organisation_id, person_id)
    references public.people (organisation_id, id) on delete cascade,
  constraint time_off_dates_ordered check (ends_on >= starts_on),
  constraint time_off_hours_per_day_range check (hours_per_day > 0 and hours_per_day <= 24)
);
create index time_off_organisation_id_person_id_idx on public.time_off (organisation_id, person_id);
create index time_off_person_id_starts_on_idx on public.time_off (person_id, starts_on, ends_on);
create trigger time_off_set_updated_at before update on public.time_off
  for each row execute function private.set_updated_at();

-- Row level security -------------------------------------------------------------------------------------

alter table public.organisations enable row level security;
alter table public.memberships enable row level security;
alter table public.locations enable row level security;
alter table public.holidays enable row level security;
alter table public.roles enable row level security;
alter table public.skills enable row level security;
alter table public.people enable row level security;
alter table public.person_skills enable row level security;
alter table public.time_off enable row level security;

-- Organisations are created by the service (sign-up / provisioning), which also creates the first owner.
create policy "members read their organisations" on public.organisations
  for select to authenticated
  using (id in (select private.org_ids('viewer')));
create policy "admins update their organisation" on public.organisations
  for update to authenticated
  using (id in (select private.org_ids('admin')))
  with check (id in (select private.org_ids('admin')));
create policy "owners delete their organisation" on public.organisations
  for delete to authenticated
  using (id in (select private.org_ids('owner')));

-- Admins manage memberships, but only owners grant, change or remove the owner role; anyone may leave an
-- organisation (delete their own membership) unless they are its last owner (trigger above).
create policy "members read their organisation's memberships" on public.memberships
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "admins add memberships" on public.memberships
  for insert to authenticated
  with check (
    organisation_id in (select private.org_ids('admin'))
    and (role <> 'owner' or organisation_id in (select private.org_ids('owner')))
  );
create policy "admins change memberships" on public.memberships
  for update to authenticated
  using (
    organisation_id in (select private.org_ids('admin'))
    and (role <> 'owner' or organisation_id in (select private.org_ids('owner')))
  )
  with check (
    organisation_id in (select private.org_ids('admin'))
    and (role <> 'owner' or organisation_id in (select private.org_ids('owner')))
  );
create policy "admins remove memberships, anyone leaves" on public.memberships
  for delete to authenticated
  using (
    (
      organisation_id in (select private.org_ids('admin'))
      and (role <> 'owner' or organisation_id in (select private.org_ids('owner')))
    )
    or user_id = (select auth.uid())
  );

create policy "members read" on public.locations
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "admins insert" on public.locations
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('admin')));
create policy "admins update" on public.locations
  for update to authenticated
  using (organisation_id in (select private.org_ids('admin')))
  with check (organisation_id in (select private.org_ids('admin')));
create policy "admins delete" on public.locations
  for delete to authenticated
  using (organisation_id in (select private.org_ids('admin')));

create policy "members read" on public.holidays
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "admins insert" on public.holidays
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('admin')));
create policy "admins update" on public.holidays
  for update to authenticated
  using (organisation_id in (select private.org_ids('admin')))
  with check (organisation_id in (select private.org_ids('admin')));
create policy "admins delete" on public.holidays
  for delete to authenticated
  using (organisation_id in (select private.org_ids('admin')));

create policy "members read" on public.roles
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "admins insert" on public.roles
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('admin')));
create policy "admins update" on public.roles
  for update to authenticated
  using (organisation_id in (select private.org_ids('admin')))
  with check (organisation_id in (select private.org_ids('admin')));
create policy "admins delete" on public.roles
  for delete to authenticated
  using (organisation_id in (select private.org_ids('admin')));

-- Skills are a catalogue resource managers maintain while staffing.
create policy "members read" on public.skills
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "managers insert" on public.skills
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers update" on public.skills
  for update to authenticated
  using (organisation_id in (select private.org_ids('manager')))
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers delete" on public.skills
  for delete to authenticated
  using (organisation_id in (select private.org_ids('manager')));

create policy "members read" on public.people
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "admins insert" on public.people
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('admin')));
create policy "admins update" on public.people
  for update to authenticated
  using (organisation_id in (select private.org_ids('admin')))
  with check (organisation_id in (select private.org_ids('admin')));
create policy "admins delete" on public.people
  for delete to authenticated
  using (organisation_id in (select private.org_ids('admin')));

-- Managers maintain everyone's skills; members maintain their own profile's skills.
create policy "members read" on public.person_skills
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "managers or the person insert" on public.person_skills
  for insert to authenticated
  with check (
    organisation_id in (select private.org_ids('manager'))
    or (organisation_id in (select private.org_ids('member')) and person_id in (select private.person_ids()))
  );
create policy "managers or the person update" on public.person_skills
  for update to authenticated
  using (
    organisation_id in (select private.org_ids('manager'))
    or (organisation_id in (select private.org_ids('member')) and person_id in (select private.person_ids()))
  )
  with check (
    organisation_id in (select private.org_ids('manager'))
    or (organisation_id in (select private.org_ids('member')) and person_id in (select private.person_ids()))
  );
create policy "managers or the person delete" on public.person_skills
  for delete to authenticated
  using (
    organisation_id in (select private.org_ids('manager'))
    or (organisation_id in (select private.org_ids('member')) and person_id in (select private.person_ids()))
  );

-- Members book their own time off; managers book anyone's.
create policy "members read" on public.time_off
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "managers or the person insert" on public.time_off
  for insert to authenticated
  with check (
    organisation_id in (select private.org_ids('manager'))
    or (organisation_id in (select private.org_ids('member')) and person_id in (select private.person_ids()))
  );
create policy "managers or the person update" on public.time_off
  for update to authenticated
  using (
    organisation_id in (select private.org_ids('manager'))
    or (organisation_id in (select private.org_ids('member')) and person_id in (select private.person_ids()))
  )
  with check (
    organisation_id in (select private.org_ids('manager'))
    or (organisation_id in (select private.org_ids('member')) and person_id in (select private.person_ids()))
  );
create policy "managers or the person delete" on public.time_off
  for delete to authenticated
  using (
    organisation_id in (select private.org_ids('manager'))
    or (organisation_id in (select private.org_ids('member')) and person_id in (select private.person_ids()))
  );
