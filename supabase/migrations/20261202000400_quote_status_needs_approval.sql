-- A quote reaches the client only once approved: draft -> pending_approval -> approved (admins and owners)
-- -> sent -> accepted | rejected | expired. For signed-in users the database holds that path: `sent` only
-- from `approved`, `accepted` only from `sent`, a new quote starts as a draft or pending approval, and
-- `approved_by`/`approved_at` are stamped by the approval itself. Before, the guard fired only on a change
-- of `status` (so `approved_by` could be set on its own, to anyone) and any status could follow any other.
-- Sending a quote back to draft or pending approval voids its approval; a sent quote the client wants
-- changed goes back to draft for its next version, which needs approval again before it is sent. The service role (demo data, agents
-- acting on an allowed auto-apply) is not held to the path.

create or replace function private.guard_quote_approval()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
declare
  -- 'new' on insert: never null, so every comparison below is true or false.
  from_status text := case when tg_op = 'INSERT' then 'new' else old.status::text end;
begin
  if current_user <> 'authenticated' then
    if new.status = 'approved' and from_status <> 'approved' then
      new.approved_at := coalesce(new.approved_at, now());
    end if;
    return new;
  end if;

  if new.status::text <> from_status and not (
    (from_status = 'new' and new.status in ('draft', 'pending_approval', 'approved'))
    or (from_status = 'draft' and new.status in ('pending_approval', 'approved', 'expired'))
    or (from_status = 'pending_approval' and new.status in ('draft', 'approved', 'rejected', 'expired'))
    or (from_status = 'approved' and new.status in ('draft', 'pending_approval', 'sent', 'expired'))
    or (from_status = 'sent' and new.status in ('draft', 'accepted', 'rejected', 'expired'))
    or (from_status in ('rejected', 'expired') and new.status = 'draft')
  ) then
    raise exception 'a quote cannot go from % to %', from_status, new.status
      using errcode = 'check_violation', constraint = 'quotes_status_transition',
        table = 'quotes', schema = 'public',
        hint = 'quotes are sent only after approval: draft -> pending_approval -> approved -> sent -> accepted';
  end if;

  if new.status = 'approved' and from_status <> 'approved' then
    if not (new.organisation_id in (select private.org_ids('admin'))) then
      raise exception 'only admins and owners can approve quotes'
        using errcode = 'insufficient_privilege', table = 'quotes', schema = 'public';
    end if;
    new.approved_by := auth.uid();
    new.approved_at := now();
  elsif new.status in ('draft', 'pending_approval') then
    new.approved_by := null;
    new.approved_at := null;
  elsif tg_op = 'INSERT' then
    new.approved_by := null;
    new.approved_at := null;
  else
    new.approved_by := old.approved_by;
    new.approved_at := old.approved_at;
  end if;
  return new;
end
$$;

-- Every write, not only a change of status: approved_by alone must not be settable either.
drop trigger quotes_guard_approval on public.quotes;
create trigger quotes_guard_approval before insert or update on public.quotes
  for each row execute function private.guard_quote_approval();
