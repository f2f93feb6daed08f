-- The organisation's locale: how the web app formats its money, dates and numbers (with its currency).

alter table public.organisations
  add column locale text not null default 'en-US',
  add constraint organisations_locale_format check (locale ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$');
