-- Quotes: a quote for a client, its numbered versions (pricing, contingency, margin, discount, risk-adjusted
-- totals) and each version's lines (role, three-point hour estimates, rates).

create table public.quotes (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  client_id uuid not null,
  project_id uuid,
  title text not null,
  status public.quote_status not null default 'draft',
  current_version integer not null default 1,
  valid_until date,
  approved_by uuid references auth.users (id) on delete set null,
  approved_at timestamptz,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint quotes_organisation_id_id_key unique (organisation_id, id),
  constraint quotes_client_fkey foreign key (organisation_id, client_id)
    references public.clients (organisation_id, id),
  constraint quotes_project_fkey foreign key (organisation_id, project_id)
    references public.projects (organisation_id, id) on delete set null (project_id),
  constraint quotes_title_not_blank check (btrim(title) <> ''),
  constraint quotes_current_version_positive check (current_version >= 1),
  constraint quotes_approved_by_has_approved_at check (approved_by is null or approved_at is not null)
);
create index quotes_organisation_id_client_id_idx on public.quotes (organisation_id, client_id);
create index quotes_organisation_id_project_id_idx on public.quotes (organisation_id, project_id);
create index quotes_approved_by_idx on public.quotes (approved_by);
create trigger quotes_set_updated_at before update on public.quotes
  for each row execute function private.set_updated_at();
create trigger quotes_bump_version before update on public.quotes
  for each row execute function private.bump_version();

-- Approving is a separate authority from editing: managers prepare quotes, admins and owners approve them.
-- For signed-in users the approver and time are stamped here and cannot be forged; the service role (agents
-- acting on an allowed auto-apply) may set them, and they are filled in if it does not.
create function private.guard_quote_approval()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if new.status = 'approved' and (tg_op = 'INSERT' or old.status is distinct from 'approved') then
    if current_user = 'authenticated' then
      if not (new.organisation_id in (select private.org_ids('admin'))) then
        raise exception 'only admins and owners can approve quotes'
          using errcode = 'insufficient_privilege', table = 'quotes', schema = 'public';
      end if;
      new.approved_by := auth.uid();
      new.approved_at := now();
    else
      new.approved_at := coalesce(new.approved_at, now());
    end if;
  end if;
  return new;
end
$$;
revoke all on function private.guard_quote_approval() from public;
create trigger quotes_guard_approval before insert or update of status on public.quotes
  for each row execute function private.guard_quote_approval();

create table public.quote_versions (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  quote_id uuid not null,
  version_number integer not null,
  pricing_model public.pricing_model not null default 'time_and_materials',
  rate_card_id uuid,
  currency char(3) not null,
  contingency_pct numeric(5, 2) not null default 0,
  target_margin_pct numeric(5, 2) not null default 0,
  discount_pct numeric(5, 2) not null default 0,
  cost_minor bigint not null default 0,
  price_minor bigint not null default 0,
  -- Margin can be negative (a loss-making quote), but never above 100%.
  margin_pct numeric(5, 2),
  p50_price_minor bigint,
  p80_price_minor bigint,
  notes text,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint quote_versions_organisation_id_id_key unique (organisation_id, id),
  constraint quote_versions_quote_fkey foreign key (organisation_id, quote_id)
    references public.quotes (organisation_id, id) on delete cascade,
  constraint quote_versions_rate_card_fkey foreign key (organisation_id, rate_card_id)
    references public.rate_cards (organisation_id, id) on delete set null (rate_card_id),
  constraint quote_versions_quote_id_version_number_key unique (quote_id, version_number),
  constraint quote_versions_version_number_positive check (version_number >= 1),
  constraint quote_versions_currency_iso check (currency ~ '^[A-Z]{3}$'),
  constraint quote_versions_contingency_pct_range check (contingency_pct between 0 and 100),
  constraint quote_versions_target_margin_pct_range check (target_margin_pct between 0 and 100),
  constraint quote_versions_discount_pct_range check (discount_pct between 0 and 100),
  constraint quote_versions_margin_pct_max check (margin_pct <= 100),
  constraint quote_versions_cost_non_negative check (cost_minor >= 0),
  constraint quote_versions_price_non_negative check (price_minor >= 0),
  constraint quote_versions_p50_non_negative check (p50_price_minor >= 0),
  constraint quote_versions_p80_at_least_p50 check (p80_price_minor >= p50_price_minor)
);
create index quote_versions_organisation_id_quote_id_idx on public.quote_versions (organisation_id, quote_id);
create index quote_versions_organisation_id_rate_card_id_idx
  on public.quote_versions (organisation_id, rate_card_id);
create index quote_versions_created_by_idx on public.quote_versions (created_by);
create trigger quote_versions_set_updated_at before update on public.quote_versions
  for each row execute function private.set_updated_at();

create table public.quote_lines (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  quote_version_id uuid not null,
  role_id uuid not null,
  description text,
  optimistic_hours numeric(7, 2) not null,
  likely_hours numeric(7, 2) not null,
  pessimistic_hours numeric(7, 2) not null,
  cost_rate_minor bigint not null,
  bill_rate_minor bigint not null,
  sort_order integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint quote_lines_quote_version_fkey foreign key (organisation_id, quote_version_id)
    references public.quote_versions (organisation_id, id) on delete cascade,
  constraint quote_lines_role_fkey foreign key (organisation_id, role_id)
    references public.roles (organisation_id, id),
  constraint quote_lines_hours_non_negative check (optimistic_hours >= 0),
  -- Three-point estimate (PERT): optimistic <= likely <= pessimistic.
  constraint quote_lines_hours_ordered check (optimistic_hours <= likely_hours and likely_hours <= pessimistic_hours),
  constraint quote_lines_cost_rate_non_negative check (cost_rate_minor >= 0),
  constraint quote_lines_bill_rate_non_negative check (bill_rate_minor >= 0)
);
create index quote_lines_organisation_id_quote_version_id_idx
  on public.quote_lines (organisation_id, quote_version_id, sort_order);
create index quote_lines_organisation_id_role_id_idx on public.quote_lines (organisation_id, role_id);
create trigger quote_lines_set_updated_at before update on public.quote_lines
  for each row execute function private.set_updated_at();

-- Row level security: managers (account leads) prepare quotes; approval is checked by the trigger above.

alter table public.quotes enable row level security;
alter table public.quote_versions enable row level security;
alter table public.quote_lines enable row level security;

create policy "members read" on public.quotes
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "managers insert" on public.quotes
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers update" on public.quotes
  for update to authenticated
  using (organisation_id in (select private.org_ids('manager')))
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers delete" on public.quotes
  for delete to authenticated
  using (organisation_id in (select private.org_ids('manager')));

create policy "members read" on public.quote_versions
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "managers insert" on public.quote_versions
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers update" on public.quote_versions
  for update to authenticated
  using (organisation_id in (select private.org_ids('manager')))
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers delete" on public.quote_versions
  for delete to authenticated
  using (organisation_id in (select private.org_ids('manager')));

create policy "members read" on public.quote_lines
  for select to authenticated
  using (organisation_id in (select private.org_ids('viewer')));
create policy "managers insert" on public.quote_lines
  for insert to authenticated
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers update" on public.quote_lines
  for update to authenticated
  using (organisation_id in (select private.org_ids('manager')))
  with check (organisation_id in (select private.org_ids('manager')));
create policy "managers delete" on public.quote_lines
  for delete to authenticated
  using (organisation_id in (select private.org_ids('manager')));
