-- Queue position comes from the queue's tickets (20261202100000_queue_tickets): nothing counts the queued
-- sessions in queue order any more, and every admission and every start paid to maintain this index.
drop index public.agent_sessions_queued_idx;
