-- Change notifications for live pages: every write to a table the web app shows notifies channel
-- `psa_changes` with the organisation and the table, nothing else (no row data: listeners refetch through
-- the API, where row level security decides what each user sees). Postgres delivers identical payloads once
-- per transaction, so applying a proposal of a hundred rows is one notification per table it touched, sent
-- at commit. Sessions notify only when their status changes (they are updated with every event).

create function private.notify_change()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
declare
  organisation uuid;
begin
  if tg_op = 'DELETE' then
    organisation := old.organisation_id;
  else
    organisation := new.organisation_id;
  end if;
  perform pg_notify('psa_changes', json_build_object('organisation_id', organisation, 'table', tg_table_name)::text);
  return null;
end
$$;

do $$
declare
  t text;
begin
  foreach t in array array[
    'clients', 'people', 'person_skills', 'time_off', 'projects', 'phases', 'tasks', 'task_dependencies',
    'milestones', 'baselines', 'resource_requests', 'allocations', 'time_entries', 'quotes', 'quote_versions',
    'quote_lines', 'proposals'
  ] loop
    execute format(
      'create trigger %I after insert or update or delete on public.%I for each row execute function private.notify_change()',
      t || '_notify_change', t
    );
  end loop;
end
$$;

create trigger agent_sessions_notify_insert after insert on public.agent_sessions
  for each row execute function private.notify_change();
create trigger agent_sessions_notify_status after update of status on public.agent_sessions
  for each row when (old.status is distinct from new.status) execute function private.notify_change();
