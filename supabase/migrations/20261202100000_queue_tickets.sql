-- Queue position and depth without counting the queue. Counting the queued sessions ahead of one costs time
-- in proportion to the backlog on every read (GetSession, ListSessions, GetQueuePosition). Instead every
-- queued session gets a ticket, gap-free per agent type and in commit order, and each queue keeps its
-- counters, maintained by triggers:
--   issued  the last ticket handed out;
--   head    every ticket up to here has left the queue (the oldest queued session has a ticket above it);
--   depth   how many sessions of the type are queued;
-- plus the tickets of sessions that left out of turn above the head (cancelled while queued, or started
-- out of order), which the head absorbs as it passes them. A session's position is then
--   ticket - head - (tickets that left out of turn between the head and it)
-- which costs an index lookup plus the few who left out of turn ahead of it, however long the queue is.

create table private.agent_queues (
  agent_type public.agent_type primary key,
  issued bigint not null default 0,
  head bigint not null default 0,
  depth integer not null default 0,
  constraint agent_queues_counters check (0 <= head and head <= issued and 0 <= depth and depth <= issued - head)
);

-- One row per queued session, removed when the session leaves the queue.
create table private.agent_queue_tickets (
  session_id uuid primary key,
  agent_type public.agent_type not null,
  ticket bigint not null,
  constraint agent_queue_tickets_unique unique (agent_type, ticket)
);

-- Tickets above the head whose sessions have left the queue.
create table private.agent_queue_gaps (
  agent_type public.agent_type not null,
  ticket bigint not null,
  primary key (agent_type, ticket)
);

-- Only the functions below read or write these (as their owner).
alter table private.agent_queues enable row level security;
alter table private.agent_queue_tickets enable row level security;
alter table private.agent_queue_gaps enable row level security;
revoke all on private.agent_queues, private.agent_queue_tickets, private.agent_queue_gaps from public;

-- At commit (a deferred constraint trigger): the queue's counter row is locked only while the admitting
-- transaction commits, not while it publishes, so concurrent admissions overlap; tickets follow commit
-- order. A session that left the queue before its transaction committed gets none.
create function private.issue_queue_ticket()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  ticket bigint;
begin
  if not exists (select 1 from public.agent_sessions s where s.id = new.id and s.status = 'queued') then
    return null;
  end if;
  insert into private.agent_queues as q (agent_type, issued, depth) values (new.agent_type, 1, 1)
  on conflict (agent_type) do update set issued = q.issued + 1, depth = q.depth + 1
  returning q.issued into ticket;
  insert into private.agent_queue_tickets (session_id, agent_type, ticket) values (new.id, new.agent_type, ticket);
  return null;
end
$$;

create function private.leave_queue()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  mine bigint;
  queue private.agent_queues;
  new_head bigint;
begin
  delete from private.agent_queue_tickets t where t.session_id = old.id returning t.ticket into mine;
  if mine is null then
    return null;
  end if;
  select * into queue from private.agent_queues q where q.agent_type = old.agent_type for update;
  if mine = queue.head + 1 then
    -- The head leaves: it moves up to just below the oldest ticket still queued.
    new_head := coalesce(
      (select min(t.ticket) from private.agent_queue_tickets t where t.agent_type = old.agent_type),
      queue.issued + 1
    ) - 1;
    delete from private.agent_queue_gaps g where g.agent_type = old.agent_type and g.ticket <= new_head;
  else
    new_head := queue.head;
    insert into private.agent_queue_gaps (agent_type, ticket) values (old.agent_type, mine);
  end if;
  update private.agent_queues q set head = new_head, depth = q.depth - 1 where q.agent_type = old.agent_type;
  return null;
end
$$;

create constraint trigger agent_sessions_queue_ticket after insert on public.agent_sessions
  deferrable initially deferred
  for each row when (new.status = 'queued') execute function private.issue_queue_ticket();
create trigger agent_sessions_leave_queue after update of status on public.agent_sessions
  for each row when (old.status = 'queued' and new.status <> 'queued') execute function private.leave_queue();
create trigger agent_sessions_leave_queue_on_delete after delete on public.agent_sessions
  for each row when (old.status = 'queued') execute function private.leave_queue();

-- A session's 1-based place among the queued sessions of its type (0 when not queued), and the depth of
-- that queue. For the service (the orchestrator), which answers users' questions about their sessions.
create function private.queue_place(session_id uuid, agent_type public.agent_type)
  returns table (place bigint, depth integer)
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return query
    select
      coalesce(
        (select t.ticket - q.head
                - (select count(*) from private.agent_queue_gaps g
                    where g.agent_type = t.agent_type and g.ticket < t.ticket)
           from private.agent_queue_tickets t
          where t.session_id = queue_place.session_id),
        0
      ),
      coalesce(q.depth, 0)
    from (select 1) one
    left join private.agent_queues q on q.agent_type = queue_place.agent_type;
end
$$;
revoke all on function private.issue_queue_ticket(), private.leave_queue() from public;
revoke all on function private.queue_place(uuid, public.agent_type) from public;
grant execute on function private.queue_place(uuid, public.agent_type) to service_role;

-- The sessions already queued, in their order so far.
with queued as (
  select s.id, s.agent_type, row_number() over (partition by s.agent_type order by s.queued_at, s.id) as ticket
  from public.agent_sessions s
  where s.status = 'queued'
)
insert into private.agent_queue_tickets (session_id, agent_type, ticket)
select id, agent_type, ticket from queued;
insert into private.agent_queues (agent_type, issued, head, depth)
select t.agent_type, max(t.ticket), 0, count(*) from private.agent_queue_tickets t group by t.agent_type;
