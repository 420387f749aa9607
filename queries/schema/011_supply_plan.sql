-- Store schema, version 11: the supply plan's policy as rule data, and approved plans.
--
-- Policy tables are edited by the marketing center (`marketpulse rules load`); while one is
-- empty the plan reads the shipped defaults in data/reference/ (marketpulse/rules.py).

-- Target cover (weeks of sales a retailer should hold after next week) per market state and
-- customer group; '*' matches anything, the most specific row wins (as monitoring_point).
create table if not exists supply_cover (
    state         varchar not null,   -- tight | balanced | loose | '*'
    format        varchar not null,   -- 业态, '*' = any
    tier_band     varchar not null,   -- 档位 band, '*' = any
    area_type     varchar not null,   -- 城网/农网, '*' = any
    target_cover  double not null check (target_cover >= 0),
    primary key (state, format, tier_band, area_type)
);

-- Minimum and maximum 限量 per retailer per week, by 档位 range; both non-decreasing in 档位.
create table if not exists supply_limit (
    tier_from  integer not null check (tier_from between 1 and 30),
    tier_to    integer not null check (tier_to between 1 and 30),
    min_limit  integer not null check (min_limit >= 0),
    max_limit  integer not null,
    primary key (tier_from),
    check (tier_to >= tier_from and max_limit >= min_limit)
);

-- Plan settings: allocation_type (tier | tier_department | tier_area | tier_format), loose_cap.
create table if not exists supply_policy (
    key    varchar primary key,
    value  varchar not null,
    note   varchar
);

-- One row per approved plan: who approved it and when.
create table if not exists supply_plan (
    plan_id          integer primary key,
    plan_week        date not null,      -- Monday of the week supplied
    made_from_week   date not null,      -- the data week the plan was computed from
    allocation_type  varchar not null,
    approved_by      varchar not null,
    approved_at      timestamp not null,
    lines            integer not null,
    total_qty        double not null,    -- Σ retailers × 限量, 条
    edited_lines     integer not null    -- lines whose 限量 the planner changed
);

-- One row per plan × spec × 档位 × key: the ordering system's line.
create table if not exists supply_plan_line (
    plan_id     integer not null,
    spec_code   varchar not null,
    tier        integer not null,
    key_value   varchar not null,        -- the allocation type's second key ('' for tier alone)
    retailers   integer not null,
    limit_qty   integer not null check (limit_qty >= 0),  -- 限量 per retailer, 条
    total_qty   integer not null,        -- retailers × 限量
    edited      boolean not null,
    primary key (plan_id, spec_code, tier, key_value)
);

-- The latest plan-eval (python -m marketpulse plan-eval): one row per origin × policy.
create table if not exists supply_eval (
    run_at     timestamp not null,
    origin     date not null,          -- the data week replayed from
    policy     varchar not null,       -- plan | last_year | recent_average | actual
    stockout   integer not null,       -- retailer × spec weeks that ran out before demand
    overstock  integer not null,       -- retailer × spec weeks above the group's high band
    supplied   double not null,
    sales      double not null,
    primary key (origin, policy)
);

-- Interval calibration of a forecast refresh, from its backtest: one row per run × level.
create table if not exists forecast_calibration (
    run_id          integer not null,
    level           varchar not null,  -- '80', '95'
    nominal         double not null,   -- the interval's nominal coverage, %
    points          integer not null,  -- backtest points scored
    coverage        double,            -- % of backtest actuals inside the model's interval
    factor          double not null,   -- sd factor applied (1 when not widened)
    widened         boolean not null,  -- coverage was off by more than 5 points: recalibrated
    coverage_after  double,            -- % inside the recalibrated interval
    primary key (run_id, level)
);
