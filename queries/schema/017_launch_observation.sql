-- Store schema, version 17: launch_observation, weekly_observation's rows of each spec in its
-- launch year (the 52 weeks from the Monday of its launch date on). New-brand uptake reads a
-- new spec's weeks since launch, and those are all here, so it no longer scans every spec's
-- weeks to find a few (a city's year of weekly_observation is about 10M rows; its launch
-- rows a few hundred thousand). Kept by rollup/launch_observation.sql; a specs import that
-- moves a launch date rebuilds that spec's rows (rollup.refresh_launch).

create table if not exists launch_observation (
    week               date not null,
    license_no         varchar not null,
    spec_code          varchar not null,
    department_code    varchar not null,
    territory_code     varchar not null,
    cm_code            varchar not null,
    format             varchar not null,
    tier               integer not null,
    tier_band          varchar not null,
    area_type          varchar not null,
    stock_qty          decimal(12, 2),
    sales_qty          decimal(12, 2),
    retail_price       decimal(10, 2),
    on_shelf           boolean,
    visit_lines        integer not null,
    demand_qty         decimal(12, 2) not null,
    supplied_qty       decimal(12, 2) not null,
    order_lines        integer not null,
    filled_order_lines integer not null
);

insert into launch_observation by name
select o.*
from weekly_observation as o
join spec as s using (spec_code)
where o.week between date_trunc('week', s.launch_date)::date
                 and (date_trunc('week', s.launch_date) + interval 51 weeks)::date
order by o.week;
