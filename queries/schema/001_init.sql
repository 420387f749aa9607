-- Store schema, version 1: reference data, raw facts, import bookkeeping, editable
-- business rules and the weekly roll-ups the metric queries read.
-- Raw tables keep what came in (one row per input row); roll-ups are rebuilt from them.

-- ── reference data ────────────────────────────────────────────────────────────
create table department (            -- one row per 市场部
    department_code varchar primary key,
    department_name varchar not null
);

create table territory (             -- one row per 片区
    territory_code  varchar primary key,
    territory_name  varchar not null,
    department_code varchar not null,
    area_type       varchar not null check (area_type in ('城网', '农网'))
);

create table customer_manager (      -- one row per 客户经理
    cm_code        varchar primary key,
    cm_name        varchar not null,
    territory_code varchar not null
);

create table retailer (              -- one row per licensed retailer, current attributes
    license_no     varchar primary key,
    retailer_name  varchar not null,
    format         varchar not null,             -- 业态
    tier           integer not null check (tier between 1 and 30),   -- 档位
    territory_code varchar not null,
    cm_code        varchar not null,
    area_type      varchar check (area_type in ('城网', '农网')),
    opened_on      date,
    closed_on      date,
    check (closed_on is null or opened_on is null or closed_on >= opened_on)
);

-- One row per period in which a retailer had one territory / customer manager / tier.
-- Metrics attribute a week to the assignment valid on that week's Monday, so a retailer
-- that moves 片区 keeps its past weeks where they were.
create table retailer_assignment (
    license_no     varchar not null,
    valid_from     date not null,                -- inclusive
    valid_to       date,                         -- exclusive; null = still valid
    territory_code varchar not null,
    cm_code        varchar not null,
    format         varchar not null,
    tier           integer not null check (tier between 1 and 30),
    primary key (license_no, valid_from),
    check (valid_to is null or valid_to > valid_from)
);

create table spec (                  -- one row per cigarette spec (规格)
    spec_code              varchar primary key,
    spec_name              varchar not null,
    brand                  varchar not null,
    price_class            varchar not null,     -- 价类: 一类 … 五类
    wholesale_price        decimal(10, 2) not null check (wholesale_price > 0),        -- 元/条
    suggested_retail_price decimal(10, 2) not null check (suggested_retail_price > 0), -- 元/条
    is_key_brand           boolean not null,
    launch_date            date not null
);

-- ── raw facts ─────────────────────────────────────────────────────────────────
create table visit_line (            -- one row per spec seen in one visit
    visit_date   date not null,
    cm_code      varchar not null,
    license_no   varchar not null,
    spec_code    varchar not null,
    stock_qty    decimal(12, 2) not null check (stock_qty >= 0),          -- 条
    retail_price decimal(10, 2) check (retail_price > 0),                 -- 元/条
    on_shelf     boolean,
    sales_qty    decimal(12, 2) check (sales_qty >= 0),  -- since previous visit, 条
    notes        varchar,
    import_id    integer not null,
    primary key (visit_date, license_no, spec_code)
);

create table order_line (            -- one row per spec on one order day
    order_date   date not null,
    license_no   varchar not null,
    spec_code    varchar not null,
    demand_qty   decimal(12, 2) not null check (demand_qty >= 0),
    supplied_qty decimal(12, 2) not null check (supplied_qty >= 0),
    import_id    integer not null,
    primary key (order_date, license_no, spec_code)
);

-- ── import bookkeeping ────────────────────────────────────────────────────────
create table import_log (            -- one row per file import attempt that reached the store
    import_id        integer primary key,
    file_name        varchar not null,
    file_sha256      varchar not null,
    kind             varchar not null,
    imported_at      timestamp not null,
    rows_read        integer not null,
    rows_stored      integer not null,
    rows_replaced    integer not null,   -- corrected rows that replaced earlier ones
    rows_quarantined integer not null,
    status           varchar not null check (status in ('stored', 'duplicate_file')),
    check (rows_read = rows_stored + rows_quarantined)
);

create table quarantine (            -- one row per input row held back, with its reason
    import_id   integer not null,
    file_name   varchar not null,
    row_number  integer not null,      -- 1-based data row number in the file
    kind        varchar not null,
    raw         varchar not null,      -- the row as read, JSON object of header → text
    reason_code varchar not null,
    reason_zh   varchar not null,
    reason_en   varchar not null
);

-- ── business rules kept as data (edited by the marketing center) ─────────────
create table tier_band (             -- 档位 bands used by monitoring points
    tier_band varchar primary key,
    tier_from integer not null,
    tier_to   integer not null,
    check (tier_from <= tier_to)
);

create table monitoring_point (      -- 存销比监控点 and market-state thresholds per customer group
    format        varchar not null,  -- 业态, '*' = any
    tier_band     varchar not null,  -- '*' = any
    area_type     varchar not null,  -- 城网/农网, '*' = any
    ratio_low     double not null,   -- weeks of cover below: 断货风险 / tight
    ratio_high    double not null,   -- weeks of cover above: 积压 / loose
    index_tight   double not null,   -- price index at or above: tight (with low cover)
    index_loose   double not null,   -- price index below: loose
    target_cover  double not null,   -- weeks of cover supply aims for
    primary key (format, tier_band, area_type),
    check (ratio_low < ratio_high)
);

create table state_score_weight (    -- weights of the 0–100 market-state score
    signal varchar primary key check (signal in ('cover', 'price_index', 'margin')),
    weight double not null check (weight >= 0)
);

create table note_keyword (          -- market signals read from free-text notes
    keyword varchar primary key,
    signal  varchar not null,        -- signal code, e.g. migrant_return
    signal_zh varchar not null,
    signal_en varchar not null
);

create table setting (               -- single-valued rules: price tolerance, alert thresholds
    key   varchar primary key,
    value double not null,
    note  varchar
);

-- ── simulation ground truth (demo stores only) ────────────────────────────────
create table demo_truth (
    kind           varchar not null,  -- overstock, discounting, stockout, copy_counts, missed_visits, lagging_launch
    spec_code      varchar,
    territory_code varchar,
    cm_code        varchar,
    first_week     date not null,
    last_week      date not null
);
