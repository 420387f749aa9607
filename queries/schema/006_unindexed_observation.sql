-- Store schema, version 6: weekly_observation without its primary-key index.
-- The roll-up is unique on (week, license_no, spec_code) by construction (its builder
-- groups by them; tests check it), and keeping an index over millions of rows made
-- each refresh's delete and insert several times slower than the roll-up itself.

-- One row per retailer × spec × ISO week (Monday) with a visit or an order that week.
-- Attribution (市场部, 片区, 客户经理, 业态, 档位) is the retailer's assignment on that Monday.
create table weekly_observation_unindexed (
    week               date not null,     -- Monday of the ISO week
    license_no         varchar not null,
    spec_code          varchar not null,
    department_code    varchar not null,
    territory_code     varchar not null,
    cm_code            varchar not null,
    format             varchar not null,
    tier               integer not null,
    tier_band          varchar not null,
    area_type          varchar not null,
    stock_qty          decimal(12, 2),    -- stock counted at the week's last visit; null: no visit
    sales_qty          decimal(12, 2),    -- Σ line sales of the week's visits; null: unknown
    retail_price       decimal(10, 2),    -- actual retail price at the week's last priced visit
    on_shelf           boolean,           -- on the shelf at any visit of the week
    visit_lines        integer not null,  -- visit lines of this retailer × spec this week
    demand_qty         decimal(12, 2) not null,  -- Σ ordered (需求量) this week
    supplied_qty       decimal(12, 2) not null,  -- Σ supplied (供货量) this week
    order_lines        integer not null,  -- order lines this week
    filled_order_lines integer not null   -- order lines supplied in full
);

insert into weekly_observation_unindexed select * from weekly_observation;
drop table weekly_observation;
alter table weekly_observation_unindexed rename to weekly_observation;
