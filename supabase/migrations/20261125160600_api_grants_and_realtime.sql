-- Table privileges for the Data API roles and the Realtime publication.

-- Hosted Supabase grants the API roles everything on new tables in public by default (RLS being the gate);
-- grant explicitly as well, so the schema does not depend on a project's auto-expose setting.
grant select, insert, update, delete on all tables in schema public to authenticated, service_role;

-- TRUNCATE ignores row level security, and API callers never need to add triggers or foreign keys to our
-- tables: take those privileges away from the roles that act for end users.
revoke truncate, references, trigger on all tables in schema public from anon, authenticated;

-- Realtime delivers row changes only to subscribers whose select policies admit the row.
alter publication supabase_realtime add table public.agent_sessions, public.agent_logs, public.proposals;
