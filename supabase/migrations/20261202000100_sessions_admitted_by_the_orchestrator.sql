-- Agent sessions are admitted by the orchestrator only: it checks the membership, the role for auto-apply
-- and the per-user in-flight limit, queues the work in JetStream and writes the first event, all in one
-- transaction, and inserts the row with the service role. A row inserted straight through the API (any
-- queued_at, an oversized request, a forged result, no queued work behind it) would take a queue position
-- from every tenant's requests and hold the user's in-flight slots forever, so signed-in users may no
-- longer insert sessions at all. Their logs, dead letters and proposals were the service's to create
-- already; the grants now say so too, so an insert policy added later cannot reopen them by accident.
-- (Updates and deletes stay granted and find no rows: RLS has no policy for them.)

drop policy "members submit their own requests" on public.agent_sessions;

revoke insert on public.agent_sessions, public.agent_logs, public.agent_dead_letters, public.proposals
  from anon, authenticated;
