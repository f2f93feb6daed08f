-- Clients and rate cards: the standard card of an organisation (client_id null) and client-specific cards,
-- each with dated bill rates per role.

create table public.clients (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  name text not null,
  industry text,
  default_rate_card_id uuid,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint clients_organisation_id_id_key unique (organisation_id, id),
  constraint clients_organisation_id_name_key unique (organisation_id, name),
  constraint clients_name_not_blank check (btrim(name) <> '')
);
create trigger clients_set_updated_at before update on public.clients
  for each row execute function private.set_updated_at();
create trigger clients_bump_version before update on public.clients
  for each row execute function private.bump_version();

create table public.rate_cards (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  name text not null,
  client_id uuid,
  currency char(3) not null,
  is_default boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint rate_cards_organisation_id_id_key unique (organisation_id, id),
  constraint rate_cards_client_fkey foreign key (organisation_id, client_id)
    references public.clients (organisation_id, id) on delete cascade,
  constraint rate_cards_name_key unique nulls not distinct (organisation_id, client_id, name),
  constraint rate_cards_name_not_blank check (btrim(name) <> ''),
  constraint rate_cards_currency_iso check (currency ~ '^[A-Z]{3}$')
);
-- At most one default card per organisation (standard cards) and per client.
create unique index rate_cards_one_default_key on public.rate_cards (organisation_id, client_id)
  nulls not distinct where is_default;
create trigger rate_cards_set_updated_at before update on public.rate_cards
  for each row execute function private.set_updated_at();

alter table public.clients
  add constraint clients_default_rate_card_fkey foreign key (organisation_id, default_rate_card_id)
    references public.rate_cards (organisation_id, id) on delete set null (default_rate_card_id);
create index clients_organisation_id_default_rate_card_id_idx
  on public.clients (organisation_id, default_rate_card_id);

create table public.rate_card_lines (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  rate_card_id uuid not null,
  role_id uuid not null,
  bill_rate_minor bigint not null,
  effective_from date not null,
  effective_to date,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint rate_card_lines_rate_card_fkey foreign key (organisation_id, rate_card_id)
    references public.rate_cards (organisation_id, id) on delete cascade,
  constraint rate_card_lines_role_fkey foreign key (organisation_id, role_id)
    references public.roles (organisation_id, id) on delete cascade,
  constraint rate_card_lines_bill_rate_non_negative check (bill_rate_minor >= 0),
  constraint rate_card_lines_dates_ordered check (effective_to is null or effective_to >= effective_from),
  -- A role has exactly one rate on any given day of a card; pricing would be ambiguous otherwise.
  constraint rate_card_lines_no_overlap exclude using gist (
    rate_card_id with =,
    role_id with =,
    daterange(effective_from, effective_to, '[]') with &&
  )
);
create index rate_card_lines_organisation_id_rate_card_id_idx
  on public.rate_card_lines (organisation_id, rate_card_id);
create index rate_card_lines_organisation_id_role_id_idx on public.rate_card_lines (organisation_id, role_id);
create trigger rate_card_lines_set_updated_at before update on public.rate_card_lines
  for each row execute function private.set_updated_at();

-- Row level security: account leads (managers) own clients; rate cards are pricing policy (admins).

alter table public.clients enable row level security;
alter table public.rate_cards enable row level security;
alter table public.rate_card_lines enable row level security;

create policy "members read" on public.clients
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "managers insert" on public.clients
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers update" on public.clients
  for update to authenticated
  using (organisation_id in (select private.org_ids('manager')))
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers delete" on public.clients
  for delete to authenticated
  using (organisation_id in (select private.org_ids('manager')));

create policy "members read" on public.rate_cards
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "admins insert" on public.rate_cards
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('admin')));
create policy "admins update" on public.rate_cards
  for update to authenticated
  using (organisation_id in (select private.org_ids('admin')))
  with check (organisation_id in (select private.org_ids('admin')));
create policy "admins delete" on public.rate_cards
  for delete to authenticated
  using (organisation_id in (select private.org_ids('admin')));

create policy "members read" on public.rate_card_lines
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "admins insert" on public.rate_card_lines
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('admin')));
create policy "admins update" on public.rate_card_lines
  for update to authenticated
  using (organisation_id in (select private.org_ids('admin')))
  with check (organisation_id in (select private.org_ids('admin')));
create policy "admins delete" on public.rate_card_lines
  for delete to authenticated
  using (organisation_id in (select private.org_ids('admin')));
