-- The customer's runtime wrote thinking logs as {session_id, agent_name, message, timestamp}, and its web app
-- reads those fields from Realtime's INSERT payloads on agent_logs. Ours keep the time in created_at: add
-- `timestamp` as an ordinary column (Realtime leaves generated columns out of its payloads) that a trigger
-- keeps equal to created_at, so every writer, old or new, fills both without knowing about the other.

alter table public.agent_logs add column "timestamp" timestamptz;
update public.agent_logs set "timestamp" = created_at;
alter table public.agent_logs
  alter column "timestamp" set not null,
  alter column "timestamp" set default now();

create function private.agent_logs_timestamp()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  new."timestamp" := new.created_at;
  return new;
end
$$;
revoke all on function private.agent_logs_timestamp() from public;

create trigger agent_logs_timestamp before insert or update of created_at, "timestamp" on public.agent_logs
  for each row execute function private.agent_logs_timestamp();

comment on column public.agent_logs."timestamp" is
  'When the event happened (always equal to created_at): the field name the original runtime''s clients read.';
