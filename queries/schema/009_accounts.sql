-- Store schema, version 9: the accounts people sign in with.
-- A password is kept only as its argon2id hash (never in clear). An account's scope is fixed
-- by its role: a territory account names one 市场部 or one 片区, a cm account one customer
-- manager; the other roles see the whole city. The scope columns are named scope_* so the
-- reader's scope views (which cut tables by department_code/territory_code/cm_code) leave
-- this table alone.

create table if not exists account (
    user_name        varchar primary key,
    display_name     varchar not null,
    role             varchar not null check (role in ('admin', 'center', 'leader', 'territory', 'cm')),
    scope_department varchar,
    scope_territory  varchar,
    scope_cm         varchar,
    email            varchar,            -- company sign-on (OIDC) finds the account by it, lower case
    password_hash    varchar,            -- argon2id; null: company sign-on only
    active           boolean not null default true,
    created_at       timestamp not null,
    changed_at       timestamp not null, -- a session token issued before this is void
    check (role = 'territory' or (scope_department is null and scope_territory is null)),
    check (role = 'cm' or scope_cm is null),
    check (role <> 'territory' or ((scope_department is null) <> (scope_territory is null))),
    check (role <> 'cm' or scope_cm is not null),
    check (email is null or email = lower(email))
);
