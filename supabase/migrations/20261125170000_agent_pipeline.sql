-- Bookkeeping the agent pipeline needs for cancellation and restarts.
--
-- A running session is cancelled by asking the worker that runs it to stop: the request is recorded here
-- (so a worker that missed the broadcast, or one that picks the session up after a crash, still sees it)
-- and the worker marks the session cancelled once it has stopped.
alter table public.agent_sessions
  add column cancel_requested_at timestamptz,
  add column cancel_reason text,
  add constraint agent_sessions_cancel_reason_length
    check (cancel_reason is null or char_length(cancel_reason) <= 500);

-- Which delivery of the request wrote an event: after a worker crash the session restarts as attempt 2 and
-- its events continue the same sequence, so the log shows both attempts honestly.
alter table public.agent_logs
  add column attempt integer not null default 1,
  add constraint agent_logs_attempt_non_negative check (attempt >= 0);
