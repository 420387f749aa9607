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

params as (
    select
        date_trunc('week', $week_from::date)::date as week_from,
        date_trunc('week', $week_to::date)::date as week_to,
        (select value from setting where key = 'alert_copy_suspect_rate') as copy_rate_max,
        (select value from setting where key = 'alert_missed_visit_rate') as missed_rate_max,
        (select value from setting where key = 'alert_uptake_lag_ratio') as lag_ratio,
        (select value from setting where key = 'alert_outlier_sigma') as sigma,
        -- the store's first week: a run that starts at week_from began there if nothing is older
        -- (spec_cm_week sums weekly_observation by week: the same first week, from a twentieth of the rows)
        least((select min(week) from spec_cm_week), (select min(week) from retailer_week)) as first_week,
),

-- a kind left out of $kinds is not computed: the condition folds to false before the plan runs
cells as (
    select * from ref('market_state')
    where ($kinds is null or list_has_any(string_split($kinds, ','), ['overstock', 'stockout', 'discounting']))
),

uptake_territory as (
    -- 铺货率 alone: the other measures of uptake are not computed
    select * from ref('new_brand_uptake', level='territory', measures='distribution')
    where ($kinds is null or list_has_any(string_split($kinds, ','), ['lagging_launch']))
),

-- the city's 铺货率 from the territories' counts: each active retailer lies in one 片区 a
-- week, and whether it was reached is its own history, so the counts add up exactly. A
-- scope narrower than the city holds only some territories: the city's then comes given.
uptake_city as (
    select
        week,
        spec_code,
        sum(distributed_retailers) / nullif(sum(active_retailers), 0) as distribution_rate,
    from uptake_territory
    where $city_distribution is null
    group by all

    union all
    select d.week, d.spec_code, d.distribution_rate,
    from (
        select unnest($city_distribution::struct(week date, spec_code varchar, distribution_rate double)[]) as d
    )
),

-- ── market cells ─────────────────────────────────────────────────────────────

cell_alert as (
    select
        week, 'overstock' as kind, spec_code, spec_name, territory_code, territory_name,
        ratio as value, ratio_high as threshold,
        (ratio - ratio_high) / ratio_high as severity_score,
        printf('%s 在 %s 存销比 %.1f 周,高于上限 %.1f 周(库存 %.0f 条,近四周周均销 %.1f 条)',
               spec_name, territory_name, ratio, ratio_high, stock_qty, avg_weekly_sales_4w) as reason_zh,
        printf('%s in %s: %.1f weeks of cover, above the %.1f-week ceiling (stock %.0f cartons, 4-week average sales %.1f cartons a week)',
               spec_name, territory_name, ratio, ratio_high, stock_qty, avg_weekly_sales_4w) as reason_en,
    from cells
    where ratio > ratio_high

    union all
    select
        week, 'overstock', spec_code, spec_name, territory_code, territory_name,
        null, ratio_high, 1.0,
        printf('%s 在 %s 有库存 %.0f 条,但近四周没有销售', spec_name, territory_name, stock_qty),
        printf('%s in %s: %.0f cartons in stock and no sales in four weeks', spec_name, territory_name, stock_qty),
    from cells
    where ratio is null and stock_qty > 0 and avg_weekly_sales_4w = 0

    union all
    select
        week, 'stockout', spec_code, spec_name, territory_code, territory_name,
        ratio, ratio_low,
        (ratio_low - ratio) / ratio_low,
        printf('%s 在 %s 存销比 %.2f 周,低于下限 %.1f 周,有断货风险(价格指数 %s)',
               spec_name, territory_name, ratio, ratio_low, coalesce(printf('%.1f', price_index), '—')),
        printf('%s in %s: %.2f weeks of cover, below the %.1f-week floor: stock-out risk (price index %s)',
               spec_name, territory_name, ratio, ratio_low, coalesce(printf('%.1f', price_index), '—')),
    from cells
    where ratio < ratio_low and avg_weekly_sales_4w > 0  -- a sold-out shelf counts: it sold before

    union all
    select
        week, 'discounting', spec_code, spec_name, territory_code, territory_name,
        price_index, index_loose,
        (index_loose - price_index) / 5.0,
        printf('%s 在 %s 价格指数 %.1f,低于 %.0f,终端让利销售', spec_name, territory_name, price_index, index_loose),
        printf('%s in %s: price index %.1f, below %.0f: sold at a discount', spec_name, territory_name, price_index, index_loose),
    from cells
    where price_index < index_loose
),

-- ── new brands ───────────────────────────────────────────────────────────────

uptake_alert as (
    select
        t.week,
        'lagging_launch' as kind,
        t.spec_code,
        t.spec_name,
        t.level_key as territory_code,
        t.level_name as territory_name,
        t.distribution_rate as value,
        p.lag_ratio * c.distribution_rate as threshold,
        2 * (p.lag_ratio * c.distribution_rate - t.distribution_rate) / (p.lag_ratio * c.distribution_rate) as severity_score,
        printf('新品 %s 在 %s 上市第 %d 周铺货率 %.0f%%,全市 %.0f%%,落后于全市',
               t.spec_name, t.level_name, t.weeks_since_launch, 100 * t.distribution_rate, 100 * c.distribution_rate) as reason_zh,
        printf('New spec %s in %s, week %d after launch: distribution %.0f%% against the city''s %.0f%%',
               t.spec_name, t.level_name, t.weeks_since_launch, 100 * t.distribution_rate, 100 * c.distribution_rate) as reason_en,
    from uptake_territory as t
    join uptake_city as c using (week, spec_code)
    cross join params as p
    where t.weeks_since_launch >= 4
      and c.distribution_rate >= 0.05
      and t.distribution_rate < p.lag_ratio * c.distribution_rate
),

-- ── customer managers: four-week windows ─────────────────────────────────────

cm_week as (
    select
        rw.week,
        rw.cm_code,
        count(*) as planned,
        count(*) filter (where rw.visits > 0) as visited,
    from retailer_week as rw
    cross join params as p
    where ($kinds is null or list_has_any(string_split($kinds, ','), ['copy_suspect', 'missed_visits']))
      and rw.week between p.week_from - interval 21 day and p.week_to
      and ($format is null or rw.format = $format)
      and ($tier_band is null or rw.tier_band = $tier_band)
      and ($area_type is null or rw.area_type = $area_type)
    group by all
),

cm_report as (
    select
        rv.week,
        rv.cm_code,
        count(*) as visits,
        count(*) filter (where rv.copy_suspect) as copy_suspect,
    from retailer_visit as rv
    cross join params as p
    where ($kinds is null or list_has_any(string_split($kinds, ','), ['copy_suspect', 'missed_visits']))
      and rv.week between p.week_from - interval 21 day and p.week_to
      and ($format is null or rv.format = $format)
      and ($tier_band is null or rv.tier_band = $tier_band)
      and ($area_type is null or rv.area_type = $area_type)
    group by all
),

cm_window as (
    select
        coalesce(w.week, r.week) as week,
        coalesce(w.cm_code, r.cm_code) as cm_code,
        sum(coalesce(w.planned, 0)) over last_4 as planned_4w,
        sum(coalesce(w.visited, 0)) over last_4 as visited_4w,
        sum(coalesce(r.visits, 0)) over last_4 as visits_4w,
        sum(coalesce(r.copy_suspect, 0)) over last_4 as copy_suspect_4w,
    from cm_week as w
    full join cm_report as r using (week, cm_code)
    window last_4 as (
        partition by coalesce(w.cm_code, r.cm_code)
        order by coalesce(w.week, r.week)
        range between interval 21 day preceding and current row
    )
),

cm_alert as (
    select
        w.week, 'copy_suspect' as kind, w.cm_code,
        w.copy_suspect_4w / w.visits_4w as value,
        p.copy_rate_max as threshold,
        (w.copy_suspect_4w / w.visits_4w - p.copy_rate_max) / p.copy_rate_max as severity_score,
        printf('客户经理 %s 近四周 %d 次拜访中 %d 次库存与上次完全相同(%.0f%%),疑似照搬照抄',
               cm.cm_name, w.visits_4w, w.copy_suspect_4w, 100 * w.copy_suspect_4w / w.visits_4w) as reason_zh,
        printf('Customer manager %s: %d of %d visits in four weeks (%.0f%%) repeat the previous stock counts unchanged',
               cm.cm_name, w.copy_suspect_4w, w.visits_4w, 100 * w.copy_suspect_4w / w.visits_4w) as reason_en,
    from cm_window as w
    cross join params as p
    join customer_manager as cm using (cm_code)
    where w.visits_4w > 0 and w.copy_suspect_4w / w.visits_4w > p.copy_rate_max

    union all
    select
        w.week, 'missed_visits', w.cm_code,
        1 - w.visited_4w / w.planned_4w,
        p.missed_rate_max,
        (1 - w.visited_4w / w.planned_4w - p.missed_rate_max) / p.missed_rate_max,
        printf('客户经理 %s 近四周应访 %d 户次,实访 %d 户次,漏访 %.0f%%',
               cm.cm_name, w.planned_4w, w.visited_4w, 100 * (1 - w.visited_4w / w.planned_4w)),
        printf('Customer manager %s: %d of %d planned visits made in four weeks, %.0f%% missed',
               cm.cm_name, w.visited_4w, w.planned_4w, 100 * (1 - w.visited_4w / w.planned_4w)),
    from cm_window as w
    cross join params as p
    join customer_manager as cm using (cm_code)
    where w.planned_4w > 0 and 1 - w.visited_4w / w.planned_4w > p.missed_rate_max
),

-- ── retailers against their peers ────────────────────────────────────────────

retailer_week_obs as (
    -- each retailer's week of lines with known sales, summed: retailer_week_sales holds it for
    -- all specs; a product filter sums the filtered specs' lines of weekly_observation the same
    -- way (select/retailer_week_sales.sql). One branch's condition is a constant false, folded
    -- before the plan runs, so only the other is read.
    select
        r.week,
        r.license_no,
        r.territory_code,
        r.tier_band,
        r.stock_qty,
        r.sales_qty,
        r.retail_value,
        r.suggested_value,
    from retailer_week_sales as r
    where $brand is null and $price_class is null and $spec_code is null
      and ($kinds is null or list_has_any(string_split($kinds, ','), ['retailer_outlier']))
      and ($territories is null or list_contains(string_split($territories, ','), r.territory_code))
      and r.week between (date_trunc('week', $week_from::date) - interval 21 day)::date
                     and date_trunc('week', $week_to::date)::date
      and ($format is null or r.format = $format)
      and ($tier_band is null or r.tier_band = $tier_band)
      and ($area_type is null or r.area_type = $area_type)

    union all
    select
        o.week,
        o.license_no,
        o.territory_code,
        o.tier_band,
        sum(o.stock_qty) as stock_qty,
        sum(o.sales_qty) as sales_qty,
        sum(o.retail_price * o.sales_qty) filter (where o.retail_price is not null and o.sales_qty > 0) as retail_value,
        sum(sp.suggested_retail_price * o.sales_qty) filter (where o.retail_price is not null and o.sales_qty > 0) as suggested_value,
    from weekly_observation as o
    join spec as s using (spec_code)
    -- the suggested price in force that week (调价 never rewrites the past); 3 weeks back for the window
    join ref('base/spec_price_in_week', lookback_weeks='3') as sp on sp.spec_code = o.spec_code and sp.week = o.week
    where not ($brand is null and $price_class is null and $spec_code is null)
      and ($kinds is null or list_has_any(string_split($kinds, ','), ['retailer_outlier']))
      -- a retailer's peers are in its own 片区: a territory's outliers need no other territory
      and ($territories is null or list_contains(string_split($territories, ','), o.territory_code))
      -- constants, not params' columns: the scan then skips the row groups of other weeks
      and o.week between (date_trunc('week', $week_from::date) - interval 21 day)::date
                     and date_trunc('week', $week_to::date)::date
      and o.sales_qty is not null
      and ($format is null or o.format = $format)
      and ($tier_band is null or o.tier_band = $tier_band)
      and ($area_type is null or o.area_type = $area_type)
      and ($brand is null or s.brand = $brand)
      and ($price_class is null or s.price_class = $price_class)
      and ($spec_code is null or o.spec_code = $spec_code)
    group by all
),

retailer_signal as (
    select
        week,
        license_no,
        territory_code,
        tier_band,
        stock_qty / nullif(avg(sales_qty) over last_4, 0) as ratio,
        100 * retail_value / nullif(suggested_value, 0) as price_index,
    from retailer_week_obs
    window last_4 as (partition by license_no order by week range between interval 21 day preceding and current row)
),

peer as (
    select
        *,
        avg(ratio) over peers as ratio_mean,
        stddev_samp(ratio) over peers as ratio_sd,
        count(ratio) over peers as ratio_peers,
        avg(price_index) over peers as index_mean,
        stddev_samp(price_index) over peers as index_sd,
        count(price_index) over peers as index_peers,
    from retailer_signal
    window peers as (partition by week, territory_code, tier_band)
),

retailer_alert as (
    select
        week, 'retailer_outlier' as kind, license_no, territory_code,
        ratio as value,
        case when ratio > ratio_mean then ratio_mean + p.sigma * ratio_sd else ratio_mean - p.sigma * ratio_sd end as threshold,
        (abs(ratio - ratio_mean) / ratio_sd - p.sigma) / p.sigma as severity_score,
        printf('零售户存销比 %.1f 周,同片区同档位均值 %.1f 周,偏离 %+.1f 个标准差',
               ratio, ratio_mean, (ratio - ratio_mean) / ratio_sd) as reason_zh,
        printf('Retailer holds %.1f weeks of cover against a peer mean of %.1f weeks: %+.1f standard deviations off',
               ratio, ratio_mean, (ratio - ratio_mean) / ratio_sd) as reason_en,
        'cover' as signal,
    from peer
    cross join params as p
    where ratio_peers >= 8 and ratio_sd > 0 and abs(ratio - ratio_mean) > p.sigma * ratio_sd

    union all
    select
        week, 'retailer_outlier', license_no, territory_code,
        price_index,
        case when price_index > index_mean then index_mean + p.sigma * index_sd else index_mean - p.sigma * index_sd end,
        (abs(price_index - index_mean) / index_sd - p.sigma) / p.sigma,
        printf('零售户价格指数 %.1f,同片区同档位均值 %.1f,偏离 %+.1f 个标准差',
               price_index, index_mean, (price_index - index_mean) / index_sd),
        printf('Retailer price index %.1f against a peer mean of %.1f: %+.1f standard deviations off',
               price_index, index_mean, (price_index - index_mean) / index_sd),
        'price',
    from peer
    cross join params as p
    where index_peers >= 8 and index_sd > 0 and abs(price_index - index_mean) > p.sigma * index_sd
),

-- ── together ─────────────────────────────────────────────────────────────────

unioned as (
    select week, kind, spec_code, spec_name, territory_code, territory_name,
           null::varchar as cm_code, null::varchar as license_no,
           value, threshold, severity_score, reason_zh, reason_en, kind as signal,
    from cell_alert
    union all
    select week, kind, spec_code, spec_name, territory_code, territory_name, null, null,
           value, threshold, severity_score, reason_zh, reason_en, kind,
    from uptake_alert
    union all
    select week, kind, null, null, null, null, cm_code, null,
           value, threshold, severity_score, reason_zh, reason_en, kind,
    from cm_alert
    union all
    select week, kind, null, null, territory_code, null, null, license_no,
           value, threshold, severity_score, reason_zh, reason_en, signal,
    from retailer_alert
),

in_range as (
    select u.*
    from unioned as u
    cross join params as p
    where u.week between p.week_from and p.week_to
      and ($kinds is null or list_contains(string_split($kinds, ','), u.kind))
),

runs as (
    -- gaps and islands: weeks of one alert key that follow each other share a run id
    select
        *,
        date_diff('week', date '2000-01-03', week)
            - row_number() over (partition by kind, signal, spec_code, territory_code, cm_code, license_no order by week)
            as run_id,
    from in_range
),

final as (
    select
        r.week,
        r.kind,
        case r.kind
            when 'overstock' then '积压' when 'stockout' then '断货风险' when 'discounting' then '价格宽松'
            when 'lagging_launch' then '新品滞后' when 'copy_suspect' then '照搬照抄'
            when 'missed_visits' then '漏访' when 'retailer_outlier' then '零售户异常'
        end as kind_zh,
        case r.kind
            when 'overstock' then 'Overstock' when 'stockout' then 'Stock-out risk' when 'discounting' then 'Discounting'
            when 'lagging_launch' then 'Lagging launch' when 'copy_suspect' then 'Copied stock counts'
            when 'missed_visits' then 'Missed visits' when 'retailer_outlier' then 'Retailer outlier'
        end as kind_en,
        case when r.severity_score >= 1 then 'high' when r.severity_score >= 0.4 then 'medium' else 'low' end as severity,
        r.severity_score::double as severity_score,
        r.spec_code,
        r.spec_name,
        coalesce(r.territory_code, cm.territory_code, ret.territory_code) as territory_code,
        coalesce(r.territory_name, t.territory_name) as territory_name,
        coalesce(r.cm_code, ret.cm_code) as cm_code,
        cm.cm_name,
        r.license_no,
        ret.retailer_name,
        r.value::double as value,
        r.threshold::double as threshold,
        min(r.week) over run as since_week,
        -- the run's weeks up to this one (a run is unbroken, so its weeks are consecutive)
        count(*) over run_so_far as weeks_running,
        min(r.week) over run = p.week_from and p.first_week < p.week_from as run_open,
        r.signal,
        case when r.license_no is not null then coalesce(ret.retailer_name, r.license_no) || ':' else '' end || r.reason_zh as reason_zh,
        case when r.license_no is not null then coalesce(ret.retailer_name || ' (' || r.license_no || ')', r.license_no) || ': ' else '' end || r.reason_en as reason_en,
    from runs as r
    cross join params as p
    left join customer_manager as cm on cm.cm_code = r.cm_code
    left join retailer as ret on ret.license_no = r.license_no
    left join territory as t on t.territory_code = coalesce(r.territory_code, cm.territory_code, ret.territory_code)
    window run as (partition by r.kind, r.signal, r.spec_code, r.territory_code, r.cm_code, r.license_no, r.run_id),
        -- spelled out, not `(run order by r.week)`: one text for DuckDB and Spark
        run_so_far as (
            partition by r.kind, r.signal, r.spec_code, r.territory_code, r.cm_code, r.license_no, r.run_id
            order by r.week
        )
)

select * from final
order by week desc, severity_score desc, kind, territory_code
