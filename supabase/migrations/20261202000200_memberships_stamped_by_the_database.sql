-- A user's default organisation is their oldest membership (`created_at`, then the organisation id). An
-- admin who could choose `created_at` when adding someone, or re-point an old membership row at another
-- user, would become that user's default organisation: the place their requests, agents and reads go when
-- they name none. For signed-in users the database stamps `created_at` and keeps who the membership is of;
-- only the role is theirs to change.

create function private.guard_membership_write()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if current_user <> 'authenticated' then
    return new;
  end if;
  if tg_op = 'INSERT' then
    new.created_at := now();
    new.updated_at := now();
  else
    if (new.user_id, new.organisation_id) is distinct from (old.user_id, old.organisation_id) then
      raise exception 'a membership cannot be moved to another user or organisation; remove it and add a new one'
        using errcode = 'insufficient_privilege', table = 'memberships', schema = 'public';
    end if;
    new.created_at := old.created_at;
  end if;
  return new;
end
$$;
revoke all on function private.guard_membership_write() from public;
create trigger memberships_guard_write before insert or update on public.memberships
  for each row execute function private.guard_membership_write();
