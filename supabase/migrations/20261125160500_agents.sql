-- Agents: queued sessions (one per request, children for delegated work), their thinking log, the
-- proposals (changesets) they produce, and the dead letters of requests that exhausted their deliveries.
-- Workers write these with the service role; people submit sessions and decide on proposals.

create table public.agent_sessions (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  agent_type public.agent_type not null,
  request text not null,
  context jsonb not null default '{}',
  status public.session_status not null default 'queued',
  result jsonb,
  error jsonb,
  agents_involved text[] not null default '{}',
  processing_time_ms integer,
  parent_session_id uuid,
  auto_apply boolean not null default false,
  attempts integer not null default 0,
  input_tokens integer not null default 0,
  output_tokens integer not null default 0,
  trace_id text,
  queued_at timestamptz not null default now(),
  started_at timestamptz,
  completed_at timestamptz,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint agent_sessions_organisation_id_id_key unique (organisation_id, id),
  constraint agent_sessions_parent_fkey foreign key (organisation_id, parent_session_id)
    references public.agent_sessions (organisation_id, id) on delete cascade,
  constraint agent_sessions_not_own_parent check (parent_session_id <> id),
  constraint agent_sessions_request_not_blank check (btrim(request) <> ''),
  constraint agent_sessions_context_is_object check (jsonb_typeof(context) = 'object'),
  constraint agent_sessions_error_shape check (
    error is null or (jsonb_typeof(error) = 'object' and error ? 'code' and error ? 'message')
  ),
  constraint agent_sessions_failed_has_error check (status <> 'failed' or error is not null),
  constraint agent_sessions_started_when_processing
    check (status not in ('processing', 'completed') or started_at is not null),
  constraint agent_sessions_completed_at_when_finished
    check (status not in ('completed', 'failed', 'cancelled') or completed_at is not null),
  constraint agent_sessions_processing_time_non_negative check (processing_time_ms >= 0),
  constraint agent_sessions_attempts_non_negative check (attempts >= 0),
  constraint agent_sessions_tokens_non_negative check (input_tokens >= 0 and output_tokens >= 0)
);
-- A user's sessions by status, newest first (the agents console) and in-flight counts per user.
create index agent_sessions_user_sessions_idx
  on public.agent_sessions (organisation_id, user_id, status, created_at desc);
create index agent_sessions_user_id_status_idx on public.agent_sessions (user_id, status);
create index agent_sessions_organisation_id_parent_session_id_idx
  on public.agent_sessions (organisation_id, parent_session_id);
-- Queue position: the FIFO of queued sessions per agent type.
create index agent_sessions_queued_idx on public.agent_sessions (agent_type, queued_at, id)
  where status = 'queued';
create trigger agent_sessions_set_updated_at before update on public.agent_sessions
  for each row execute function private.set_updated_at();
create trigger agent_sessions_bump_version before update on public.agent_sessions
  for each row execute function private.bump_version();

create table public.agent_logs (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  session_id uuid not null,
  seq integer not null,
  event_type text not null,
  agent_name text,
  message text,
  data jsonb,
  created_at timestamptz not null default now(),
  constraint agent_logs_session_fkey foreign key (organisation_id, session_id)
    references public.agent_sessions (organisation_id, id) on delete cascade,
  -- Also the resume index: events of a session after a given sequence number.
  constraint agent_logs_session_id_seq_key unique (session_id, seq),
  constraint agent_logs_seq_non_negative check (seq >= 0),
  constraint agent_logs_event_type_not_blank check (btrim(event_type) <> '')
);
create index agent_logs_organisation_id_session_id_idx on public.agent_logs (organisation_id, session_id);

create table public.proposals (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  session_id uuid not null,
  agent_type public.agent_type not null,
  -- Set by the worker (e.g. the step that produced it) so a redelivered request cannot propose twice.
  idempotency_key text,
  title text not null,
  summary text,
  status public.proposal_status not null default 'pending',
  changeset jsonb not null,
  revert_changeset jsonb,
  applied_by uuid references auth.users (id) on delete set null,
  applied_at timestamptz,
  rejected_by uuid references auth.users (id) on delete set null,
  rejected_at timestamptz,
  reverted_by uuid references auth.users (id) on delete set null,
  reverted_at timestamptz,
  error jsonb,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint proposals_session_fkey foreign key (organisation_id, session_id)
    references public.agent_sessions (organisation_id, id) on delete cascade,
  constraint proposals_session_id_idempotency_key_key unique (session_id, idempotency_key),
  constraint proposals_title_not_blank check (btrim(title) <> ''),
  constraint proposals_changeset_shape check (jsonb_typeof(changeset) in ('object', 'array')),
  constraint proposals_error_shape check (
    error is null or (jsonb_typeof(error) = 'object' and error ? 'code' and error ? 'message')
  ),
  constraint proposals_applied_has_applied_at check (status <> 'applied' or applied_at is not null),
  constraint proposals_rejected_has_rejected_at check (status <> 'rejected' or rejected_at is not null),
  constraint proposals_reverted_has_timestamps
    check (status <> 'reverted' or (applied_at is not null and reverted_at is not null)),
  constraint proposals_failed_has_error check (status <> 'failed' or error is not null)
);
create index proposals_organisation_id_session_id_idx on public.proposals (organisation_id, session_id);
-- The inbox: an organisation's proposals by status, newest first.
create index proposals_organisation_id_status_idx on public.proposals (organisation_id, status, created_at desc);
create index proposals_applied_by_idx on public.proposals (applied_by);
create index proposals_rejected_by_idx on public.proposals (rejected_by);
create index proposals_reverted_by_idx on public.proposals (reverted_by);
create trigger proposals_set_updated_at before update on public.proposals
  for each row execute function private.set_updated_at();
create trigger proposals_bump_version before update on public.proposals
  for each row execute function private.bump_version();

-- Proposals move pending -> applied | rejected | failed, failed -> pending (retry) | applied | rejected,
-- applied -> reverted; rejected and reverted are final. People may only decide (status, revert_changeset,
-- error): what the agent proposed is not theirs to rewrite, and who decided and when is stamped here.
create function private.guard_proposal_update()
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
        new.changeset, new.created_at)
      is distinct from
       (old.organisation_id, old.session_id, old.agent_type, old.idempotency_key, old.title, old.summary,
        old.changeset, old.created_at)
    then
      raise exception 'only the agent can change what a proposal proposes'
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
      if current_user = 'authenticated' then
        new.applied_by := auth.uid();
      end if;
    elsif new.status = 'rejected' then
      new.rejected_at := case when current_user = 'authenticated' then now() else coalesce(new.rejected_at, now()) end;
      if current_user = 'authenticated' then
        new.rejected_by := auth.uid();
      end if;
    elsif new.status = 'reverted' then
      new.reverted_at := case when current_user = 'authenticated' then now() else coalesce(new.reverted_at, now()) end;
      if current_user = 'authenticated' then
        new.reverted_by := auth.uid();
      end if;
    end if;
  end if;
  return new;
end
$$;
revoke all on function private.guard_proposal_update() from public;
create trigger proposals_guard_update before update on public.proposals
  for each row execute function private.guard_proposal_update();

create table public.agent_dead_letters (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  session_id uuid not null,
  agent_type public.agent_type not null,
  payload jsonb not null,
  reason text not null,
  deliveries integer not null default 0,
  created_at timestamptz not null default now(),
  constraint agent_dead_letters_session_fkey foreign key (organisation_id, session_id)
    references public.agent_sessions (organisation_id, id) on delete cascade,
  constraint agent_dead_letters_reason_not_blank check (btrim(reason) <> ''),
  constraint agent_dead_letters_deliveries_non_negative check (deliveries >= 0)
);
create index agent_dead_letters_organisation_id_session_id_idx
  on public.agent_dead_letters (organisation_id, session_id, created_at);

-- Row level security: everyone in the organisation may watch its agents work. Members submit sessions for
-- themselves (auto-apply only if they could apply the result themselves, i.e. managers); workers (service
-- role) write sessions' progress, logs, proposals and dead letters; managers decide on proposals.

alter table public.agent_sessions enable row level security;
alter table public.agent_logs enable row level security;
alter table public.proposals enable row level security;
alter table public.agent_dead_letters enable row level security;

create policy "members read" on public.agent_sessions
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "members submit their own requests" on public.agent_sessions
  for insert to authenticated
  with check (
    organisation_id in (select private.org_ids('member'))
    and user_id = (select auth.uid())
    and status = 'queued'
    and parent_session_id is null
    and (not auto_apply or organisation_id in (select private.org_ids('manager')))
  );

create policy "members read" on public.agent_logs
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));

create policy "members read" on public.proposals
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "managers decide" on public.proposals
  for update to authenticated
  using (organisation_id in (select private.org_ids('manager')))
  with check (organisation_id in (select private.org_ids('manager')));

create policy "members read" on public.agent_dead_letters
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
