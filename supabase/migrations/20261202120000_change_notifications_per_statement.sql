-- Change notifications once per statement instead of once per row: a bulk write (a day's timesheets, a
-- proposal of a hundred rows, the demo data) called the row trigger for every row only for Postgres to fold
-- the identical payloads into one per transaction. The statement triggers read the rows a statement touched
-- from its transition table and notify once per organisation in it, with the same payload, so listeners see
-- exactly what they saw before: one notification per organisation and table per transaction, at commit,
-- and none for a statement that touched no row. Postgres allows a transition table only on a trigger for a
-- single event, hence three triggers per table. The agent session triggers stay per row: one fires only when
-- a status changes (a column list and a condition, which transition tables do not allow), and sessions are
-- written one at a time.

create function private.notify_changes()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
declare
  organisation uuid;
begin
  for organisation in select distinct organisation_id from changed loop
    perform pg_notify('psa_changes', json_build_object('organisation_id', organisation, 'table', tg_table_name)::text);
  end loop;
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
    execute format('drop trigger %I on public.%I', t || '_notify_change', t);
    execute format(
      'create trigger %I after insert on public.%I referencing new table as changed
         for each statement execute function private.notify_changes()',
      t || '_notify_insert', t
    );
    execute format(
      'create trigger %I after update on public.%I referencing new table as changed
         for each statement execute function private.notify_changes()',
      t || '_notify_update', t
    );
    execute format(
      'create trigger %I after delete on public.%I referencing old table as changed
         for each statement execute function private.notify_changes()',
      t || '_notify_delete', t
    );
  end loop;
end
$$;
