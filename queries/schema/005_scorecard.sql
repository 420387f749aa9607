-- Store schema, version 5: the retailer × week roll-up behind visit coverage, the
-- customer-manager scorecard and the "active retailers" denominators of new-brand uptake.
-- Built from the raw facts and reference data by queries/rollup/retailer_week.sql.

-- One row per retailer × ISO week (Monday) in which the retailer was open, for every week
-- from the first to the last week with any visit or order in the store — including weeks
-- in which nobody visited it (visits = 0), which is what "planned visits" count.
-- Open in a week: opened_on (null = always) on or before the week's Sunday and closed_on
-- (null = never) on or after its Monday. Attribution is the assignment valid on the
-- week's Monday, exactly as in weekly_observation.
create table retailer_week (
    week            date not null,     -- Monday of the ISO week
    license_no      varchar not null,
    department_code varchar not null,
    territory_code  varchar not null,
    cm_code         varchar not null,  -- the customer manager assigned that week
    format          varchar not null,
    tier            integer not null,
    tier_band       varchar not null,
    area_type       varchar not null,
    visits          integer not null,  -- visit reports filed for the retailer this week (by anyone)
    last_visit_date date,              -- latest visit on or before the week's Sunday; null: never visited
    primary key (week, license_no)
);
