-- Store schema, version 3: the market cells behind 市场状态 (market state) and alerts.
-- Built from weekly_observation by queries/rollup/market_cell.sql; never edited by hand.

-- One row per spec × 片区 × customer manager × customer group (业态, 档位 band, 城网/农网)
-- × ISO week, over the observations (retailer × spec × week) whose week sales are known.
-- Only additive quantities are kept: thresholds, weights and prices are read at query
-- time from monitoring_point, state_score_weight and spec, so editing those rules shows
-- at once, without a rebuild. Customer managers are part of the grain so that a scoped
-- run for one customer manager sees only cells built from their retailers.
create table market_cell (
    week             date not null,     -- Monday of the ISO week
    spec_code        varchar not null,
    department_code  varchar not null,
    territory_code   varchar not null,
    cm_code          varchar not null,
    format           varchar not null,  -- 业态
    tier_band        varchar not null,  -- 档位 band
    area_type        varchar not null,  -- 城网/农网
    retailers        integer not null,  -- observations with known sales (one per retailer)
    stock_qty        decimal(18, 2) not null,  -- Σ closing stock of those observations, 条
    sales_qty        decimal(18, 2) not null,  -- Σ their sales of the week, 条
    priced_sales_qty decimal(18, 2) not null,  -- Σ sales of observations with a price and sales > 0
    retail_value     decimal(24, 4) not null   -- Σ retail_price · sales of those, 元
);
-- Unique on (week, spec_code, territory_code, cm_code, format, tier_band, area_type) by
-- construction (the builder groups by them); no primary key, whose index would make a
-- full rebuild about ten times slower.
