-- Store schema, version 2: the weekly roll-ups every metric query reads.
-- Built from the raw facts by queries/rollup/*.sql; never edited by hand.

-- One row per retailer × spec × ISO week (Monday) with a visit or an order that week.
-- Attribution (市场部, 片区, 客户经理, 业态, 档位) is the retailer's assignment on that Monday.
create table weekly_observation (
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
    filled_order_lines integer not null,  -- order lines supplied in full
    primary key (week, license_no, spec_code)
);

-- One row per visit (retailer × visit date): what the customer manager reported.
create table retailer_visit (
    visit_date        date not null,
    week              date not null,
    license_no        varchar not null,
    cm_code           varchar not null,   -- who reported the visit
    department_code   varchar not null,
    territory_code    varchar not null,
    format            varchar not null,
    tier              integer not null,
    tier_band         varchar not null,
    area_type         varchar not null,
    spec_lines        integer not null,   -- specs counted
    compared_lines    integer not null,   -- specs also counted at this retailer's previous visit
    unchanged_lines   integer not null,   -- of those, stock equal to the previous count
    activity_between  boolean not null,   -- sales or supplied orders since the previous visit
    days_since_previous integer,          -- null for the first visit
    copy_suspect      boolean not null,   -- ≥5 specs, all unchanged, although there was activity
    primary key (license_no, visit_date)
);
