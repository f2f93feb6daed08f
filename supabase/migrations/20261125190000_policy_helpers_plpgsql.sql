-- The policy helpers every RLS check calls, rewritten in PL/pgSQL.
--
-- As SQL functions marked SECURITY DEFINER they are never inlined, and a non-inlined SQL function parses
-- and plans its query again on every statement that calls it (~0.2 ms each time, several times per write).
-- PL/pgSQL keeps the plan for the life of the connection. Same results, same privileges, same settings.
create or replace function private.org_ids(min_role public.membership_role)
  returns setof uuid
  language plpgsql
  stable
  security definer
  rows 5
  set search_path = ''
as $$
begin
  return query
    select m.organisation_id
    from public.memberships m
    where m.user_id = (select auth.uid()) and m.role <= min_role;
end
$$;

create or replace function private.person_ids()
  returns setof uuid
  language plpgsql
  stable
  security definer
  rows 5
  set search_path = ''
as $$
begin
  return query
    select p.id
    from public.people p
    where p.user_id = (select auth.uid());
end
$$;
