-- One row per alert × week: 预警, the list for the Monday review, sortable by severity.
-- What needs attention this week, why (in Chinese and English, with its numbers), how
-- badly, and since when. Each kind reuses the metric that defines it:
--   overstock      积压       spec × 片区 cell with 存销比 above its band (market_state),
--                             or stock held with no sales in four weeks
--   stockout       断货风险   cell with 存销比 below its band while the spec sells or sold in
--                             the last four weeks (market_state)
--   discounting    价格宽松   cell with 价格指数 below the loose threshold (market_state)
--   lagging_launch 新品滞后   new spec whose 片区 铺货率 is below alert_uptake_lag_ratio × the
--                             city's in the same week, from week 4 after launch (new_brand_uptake);
--                             the city is the whole city whatever the reader's scope
--                             ($city_distribution)
--   copy_suspect   照搬照抄   customer manager whose share of copy-suspect visits over the
--                             last four weeks exceeds alert_copy_suspect_rate (retailer_visit)
--   missed_visits  漏访       customer manager who missed more than alert_missed_visit_rate of
--                             planned visits over the last four weeks (retailer_week)
--   retailer_outlier 零售户异常 retailer whose 存销比 or price level lies beyond mean ±
--                             alert_outlier_sigma σ of the retailers of the same 档位 band
--                             in the same 片区 that week (at least 8 peers); under a customer
--                             manager's scope metrics.alerts judges against the whole 片区 and
--                             keeps the retailers the manager holds now (cm_code, the row's owner)
-- Thresholds are rows of `setting` and `monitoring_point`, edited as data. $kinds and
-- $territories narrow what is evaluated (metrics.alerts uses them to trace a few runs
-- further back); a kind left out costs nothing: its condition is a constant, folded before
-- the plan runs.
--
-- Severity: `severity_score` measures how far past its threshold a row is (1.0 = far:
-- cover twice the ceiling, index 5 points under the loose line, distribution at half of
-- the lag line, ...); severity = high (≥ 1), medium (≥ 0.4), low.
-- Persistence: `since_week` (始于) is the first week of the unbroken run of weeks, within
-- week_from … week_to, in which the same alert held, and `weeks_running` (持续周数) counts
-- its weeks up to the row's week; `run_open` marks a run that reaches week_from while the
-- store holds older weeks. The alert list (metrics.alerts, the weekly review, the 周报)
-- traces such runs further back, as far as they go, so 始于 is the run's real start
-- whatever range is shown.
--
-- Parameters:
--   $week_from, $week_to   weeks to evaluate (Mondays; any day means its week), inclusive
--   $kinds        kinds to evaluate, separated by commas (overstock,stockout,…); null = every kind
--   $territories  片区 codes, separated by commas, whose retailer outliers are evaluated (a
--                 retailer's peers are in its own 片区; other kinds take every territory);
--                 null = every territory
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
--                (customer-manager alerts take only the retailer filters)
--   $city_distribution  the whole city's 铺货率 per week × new spec, as a list of
--                (week, spec_code, distribution_rate), for a reader whose scope is narrower
--                than the city (metrics.alerts reads it under the city's scope: the benchmark
--                of 新品滞后 is the city, not the scope); null = from the territories in scope
-- Columns:
--   week             date     the week the alert holds in
--   kind             varchar  overstock | stockout | discounting | lagging_launch |
--                             copy_suspect | missed_visits | retailer_outlier
--   kind_zh, kind_en varchar  its name
--   severity         varchar  high | medium | low
--   severity_score   double   distance past the threshold (see above), for sorting
--   spec_code, spec_name, territory_code, territory_name, cm_code, cm_name, license_no,
--   retailer_name    varchar  what the alert is about (null where not applicable)
--   value            double   the measured number (weeks of cover, index, rate, ...)
--   threshold        double   the line it crossed
--   since_week       date     start of the current run of weeks
--   weeks_running    integer  weeks of that run from since_week to week
--   run_open         boolean  the run reaches week_from and older weeks exist: it may have begun earlier
--   signal           varchar  what the alert measures: cover | price for a retailer outlier
--                             (one retailer may be off on both, as two runs), else the kind
--   reason_zh, reason_en varchar  one sentence with the numbers

with

alert_row as (
    select * from ref('base/alert_rows')
),

alert_span as (
    select
        date_trunc('week', $week_from::date)::date as week_from,
        date_trunc('week', $week_to::date)::date as week_to,
        date_trunc('week', $week_from::date)::date as evaluated_from,
        -- the store's first week: a run that starts at week_from began there if nothing is older
        -- (spec_cm_week sums weekly_observation by week: the same first week, from a twentieth of the rows)
        least((select min(week) from spec_cm_week), (select min(week) from retailer_week)) as first_week,
)

select * from ref('base/alert_runs')
order by week desc, severity_score desc, kind, territory_code
