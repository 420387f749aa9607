-- Store schema, version 16: an approved plan's 控量户. Each retailer's own 限量 is its need in
-- whole 条 up to its 档位's (按户定量, marketpulse/supply/plan.py); the retailers whose need is
-- below their line's 限量 are kept with the plan, as the order file lists them. A line's
-- total_qty (supply_plan_line) and the plan's (supply_plan) are from now on Σ the retailers'
-- own 限量, not retailers × 限量.

create table if not exists supply_plan_retailer (
    plan_id     integer not null,
    spec_code   varchar not null,
    tier        integer not null,
    key_value   varchar not null,        -- the allocation type's second key ('' for tier alone)
    license_no  varchar not null,
    limit_qty   integer not null check (limit_qty >= 0),  -- the retailer's own 限量, 条
    primary key (plan_id, spec_code, license_no)
);

alter table supply_plan_line add column if not exists capped integer default 0;  -- 控量户 of the line
