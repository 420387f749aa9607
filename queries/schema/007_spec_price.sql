-- Store schema, version 7: spec prices kept as a validity history (调价).
-- A spec's wholesale and suggested retail prices change over time; each week is read with
-- the prices in force on its Monday (queries/base/spec_price_in_week.sql), so a new price
-- list changes the weeks from its effective date (生效日期) on and leaves the past as it was.
-- `spec` keeps the latest prices on file; this table keeps every period.

-- One row per period in which a spec had one pair of prices, as retailer_assignment keeps
-- a retailer's periods: valid_from inclusive, valid_to exclusive (null = still valid).
create table spec_price (
    spec_code              varchar not null,
    valid_from             date not null,                                              -- inclusive
    valid_to               date,                                                       -- exclusive; null = still valid
    wholesale_price        decimal(10, 2) not null check (wholesale_price > 0),        -- 元/条
    suggested_retail_price decimal(10, 2) not null check (suggested_retail_price > 0), -- 元/条
    primary key (spec_code, valid_from),
    check (valid_to is null or valid_to > valid_from)
);

-- A store from before this version knows only today's prices: they hold from the earliest date.
insert into spec_price
select spec_code, date '1900-01-01', null, wholesale_price, suggested_retail_price
from spec;
