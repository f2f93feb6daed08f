-- Applying a proposal runs its changeset as the deciding user (RLS decides what may change) and records the
-- outcome with the service role in the same transaction: `applied` with the exact inverse the apply
-- produced, or `failed` with why, and `reverted` after the stored inverse ran. A manager who could set
-- those directly through the API could mark a proposal applied without applying it, or rewrite the
-- changeset that revert will run (any operation on any row they may write, later run as whoever reverts).
-- So signed-in users may only reject; what a proposal proposes, its inverse and its error are the service's.

create or replace function private.guard_proposal_update()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if new.status is distinct from old.status and not (
    (old.status = 'pending' and new.status in ('applied', 'rejected', 'failed'))
    or (old.status = 'failed' and new.status in ('pending', 'applied', 'rejected'))
    or (old.status = 'applied' and new.status = 'reverted')
  ) then
    raise exception 'a proposal cannot go from % to %', old.status, new.status
      using errcode = 'check_violation', constraint = 'proposals_status_transition',
        table = 'proposals', schema = 'public';
  end if;

  if current_user = 'authenticated' then
    if (new.organisation_id, new.session_id, new.agent_type, new.idempotency_key, new.title, new.summary,
        new.changeset, new.revert_changeset, new.error, new.created_at)
      is distinct from
       (old.organisation_id, old.session_id, old.agent_type, old.idempotency_key, old.title, old.summary,
        old.changeset, old.revert_changeset, old.error, old.created_at)
    then
      raise exception 'only the agent and the apply itself change what a proposal proposes, its inverse and its error'
        using errcode = 'insufficient_privilege', table = 'proposals', schema = 'public';
    end if;
    if new.status is distinct from old.status and new.status <> 'rejected' then
      raise exception 'a proposal becomes % only by being applied or reverted (POST /api/proposals/{id}/apply|revert)', new.status
        using errcode = 'insufficient_privilege', table = 'proposals', schema = 'public';
    end if;
    new.applied_by := old.applied_by;
    new.applied_at := old.applied_at;
    new.rejected_by := old.rejected_by;
    new.rejected_at := old.rejected_at;
    new.reverted_by := old.reverted_by;
    new.reverted_at := old.reverted_at;
  end if;

  if new.status is distinct from old.status then
    if new.status = 'applied' then
      new.applied_at := case when current_user = 'authenticated' then now() else coalesce(new.applied_at, now()) end;
    elsif new.status = 'rejected' then
      new.rejected_at := case when current_user = 'authenticated' then now() else coalesce(new.rejected_at, now()) end;
      if current_user = 'authenticated' then
        new.rejected_by := auth.uid();
      end if;
    elsif new.status = 'reverted' then
      new.reverted_at := case when current_user = 'authenticated' then now() else coalesce(new.reverted_at, now()) end;
    end if;
  end if;
  return new;
end
$$;
