-- One row per alert × week, before its run is traced: what alerts.sql lists, evaluated week by
-- week (see alerts.sql for the kinds, their rules, the severity and the parameters). Read
-- through ref('base/alert_rows') by alerts.sql, and by the lake, which keeps these rows for
-- the whole city, unfiltered, as table alert_week (marketpulse.lake.alert_week).
-- A week's rows read only that week and the weeks before it (four-week windows, a launch's
-- reach so far), so rows evaluated over any span that includes the week are the same — but for
-- 新品滞后, which an evaluation gives for the specs new in its last week (base/new_spec).
--
-- Parameters:
--   $week_from, $week_to   weeks to evaluate (Mondays; any day means its week), inclusive
--   $kinds        kinds to evaluate, separated by commas; null = every kind
--   $territories  片区 codes whose retailer outliers are evaluated; null = every territory
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
--   $city_distribution  the whole city's 铺货率 per week × new spec (see alerts.sql); null = from
--                the territories in scope
-- Columns:
--   week, kind, signal, spec_code, spec_name, territory_code, territory_name, cm_code,
--   license_no, value, threshold, severity_score, reason_zh, reason_en   as alerts.sql's, with
--   names left null where alerts.sql fills them in (a manager's or a retailer's 片区, a
--   retailer's name)

with

params as (
    select
        date_trunc('week', $week_from::date)::date as week_from,
        date_trunc('week', $week_to::date)::date as week_to,
        (select value from setting where key = 'alert_copy_suspect_rate') as copy_rate_max,
        (select value from setting where key = 'alert_missed_visit_rate') as missed_rate_max,
        (select value from setting where key = 'alert_uptake_lag_ratio') as lag_ratio,
        (select value from setting where key = 'alert_outlier_sigma') as sigma,
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
)

select * from in_range
