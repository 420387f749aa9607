-- Store schema, version 19: launch_order_week, the weeks of each spec's launch year in which a
-- retailer ordered it or was supplied it (launch_observation's rows with demand or supply > 0),
-- keyed by the retailer alone. New-brand uptake counts a retailer reached from its first order,
-- under whichever 片区 or customer manager it then belonged to; with no 片区 or customer manager
-- column, a scope cuts these rows as it cuts order_line, by the retailers ever assigned within
-- it, so uptake no longer scans a year of every spec's order lines to find a few specs'.
-- Kept by rollup/launch_observation.sql with launch_observation.

create table if not exists launch_order_week (
    week       date not null,     -- Monday of the ISO week
    license_no varchar not null,
    spec_code  varchar not null
);

-- a store of an earlier version: its rows from launch_observation (kept from here on by the builder)
insert into launch_order_week by name
select week, license_no, spec_code
from launch_observation
where demand_qty > 0 or supplied_qty > 0
order by week;
