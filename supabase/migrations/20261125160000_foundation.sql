-- Foundation: the private schema for RLS helpers and triggers, the enums of the domain, and the row
-- maintenance triggers every table uses.

-- btree_gist lets exclusion constraints mix uuid equality with date-range overlap (rate card lines).
-- Supabase keeps extensions out of the exposed schemas; the advisor warns about extensions in public.
create schema if not exists extensions;
create extension if not exists btree_gist with schema extensions;

-- Helpers that policies call live here: PostgREST exposes only `public`, so nothing in `private` can be
-- called over the Data API. Only the roles that evaluate policies may use it.
create schema private;
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- The declaration order of membership_role is the privilege order (owner highest), so `role <= 'manager'`
-- means "manager or more". Do not reorder.
create type public.membership_role as enum ('owner', 'admin', 'manager', 'member', 'viewer');
create type public.project_status as enum ('tentative', 'active', 'on_hold', 'completed', 'cancelled');
create type public.billing_model as enum ('time_and_materials', 'fixed_fee', 'retainer');
create type public.project_health as enum ('green', 'amber', 'red');
create type public.task_status as enum ('not_started', 'in_progress', 'blocked', 'done');
create type public.dependency_type as enum (
  'finish_to_start', 'start_to_start', 'finish_to_finish', 'start_to_finish'
);
create type public.allocation_kind as enum ('soft', 'hard');
create type public.resource_request_status as enum ('open', 'partially_filled', 'filled', 'cancelled');
create type public.time_off_kind as enum ('vacation', 'sick', 'parental', 'training', 'other');
create type public.quote_status as enum (
  'draft', 'pending_approval', 'approved', 'sent', 'accepted', 'rejected', 'expired'
);
create type public.pricing_model as enum ('time_and_materials', 'fixed_fee', 'retainer');
create type public.agent_type as enum ('project_management', 'resourcing', 'quotes', 'orchestrator');
create type public.session_status as enum ('queued', 'processing', 'completed', 'failed', 'cancelled');
create type public.proposal_status as enum ('pending', 'applied', 'rejected', 'reverted', 'failed');

-- updated_at is maintained by the database so no writer can forget or forge it.
create function private.set_updated_at()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

-- Every update bumps version, whatever the writer sent, so `update ... where id = $1 and version = $2`
-- is a reliable compare-and-set: a concurrent writer's row no longer matches and updates nothing.
create function private.bump_version()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  new.version := old.version + 1;
  return new;
end
$$;

-- IANA time zone names are validated against the server's tz database (a check constraint cannot query a
-- catalog directly). Immutable is a small lie the tz database makes true in practice: names are never removed.
create function private.is_time_zone(name text)
  returns boolean
  language plpgsql
  immutable
  set search_path = ''
as $$
begin
  perform now() at time zone name;
  return true;
exception
  when invalid_parameter_value then
    return false;
end
$$;

-- Trigger functions need no EXECUTE grant to fire; is_time_zone does, because check constraints run it as the
-- writing role.
revoke all on all functions in schema private from public;
grant execute on function private.is_time_zone(text) to authenticated, service_role;
