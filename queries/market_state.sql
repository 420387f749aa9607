-- One row per spec × 片区 (territory) × week: 市场状态 (market state) and its 0–100 score.
-- Is a spec tight (紧俏), balanced (平衡) or loose (宽松) in a territory, and how tight?
-- Read from three signals, each defined as in its own query:
--   ratio        存销比 = Σ stock ÷ mean weekly sales over w−3 .. w   (inventory_ratio)
--                (both over the cell's retailers of week w, each with its own trailing
--                sales wherever they were credited: a retailer that moved 片区 brings them)
--   price_index  100 × Σ actual·q ÷ Σ suggested·q                     (price_index)
--                (suggested and wholesale prices: those in force in the week)
--   margin       Σ (actual − wholesale)·q ÷ Σ actual·q                 (retail_margin)
--
-- Bands (monitoring_point, edited as data). Each customer group (业态 × 档位 band ×
-- 城网/农网) takes its most specific monitoring point: the row matching it with the most
-- named fields ('*' matches anything); on a tie a named 业态 beats a named 档位 band,
-- which beats a named 城网/农网. A cell mixes groups, so its band is the average of its
-- groups' bands weighted by each group's own sales over the same four weeks. For the cover
-- band that is exact: the cell reaches its low point when its stock equals the sum of
-- what each group would hold at its own low point. With no sales in the four weeks the
-- groups weigh by this week's stock, and failing that equally. Groups that match no
-- monitoring point do not vote.
--
-- State: loose  when ratio > ratio_high, or stock is held with no sales in four weeks
--               (ratio undefined), or price_index < index_loose;
--        tight  when ratio < ratio_low and price_index ≥ index_tight, or when ratio <
--               ratio_low and no price was observed this week (price_index unknown, as
--               when the shelf sold out): low cover alone then makes the cell tight;
--        balanced otherwise, when either signal is known; null when neither is.
--
-- Score (0 = loosest, 100 = tightest): each signal mapped onto 0–100, then averaged with
-- the weights of state_score_weight over the signals that are known.
--   cover_score  = 100 × clamp((ratio_high − ratio) ÷ (ratio_high − ratio_low))
--                  (100 at or below the low point, 0 at or above the high point;
--                  0 when stock is held with no sales)
--   price_score  = 100 × clamp((price_index − index_loose) ÷ (index_tight − index_loose))
--   margin_score = 100 × clamp((margin − ½·m) ÷ m), m = setting margin_reference
--                  (0 at half the reference margin, 50 at it, 100 at one and a half)
--   state_score  = Σ weight·score ÷ Σ weight, over the known scores
-- clamp(x) = x limited to 0 .. 1.
--
-- Parameters:
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
--                (a customer-group filter keeps only those retailers, and their bands)
-- Columns:
--   week, spec_code, spec_name, territory_code, territory_name
--   retailers            integer  retailers with known sales this week
--   stock_qty            double   Σ closing stock, 条
--   sales_qty            double   Σ sales of the week, 条
--   avg_weekly_sales_4w  double   mean weekly sales over w−3 .. w, 条
--   ratio                double   weeks of cover; null when nothing sold
--   price_index          double   null without priced sales this week
--   margin               double   retail margin (0.12 = 12%); null without priced sales
--   ratio_low, ratio_high, index_tight, index_loose, target_cover   double   the cell's band
--   state                varchar  tight | balanced | loose
--   state_score          double   0–100, 100 = tightest
--   cover_score, price_score, margin_score   double   the components, 0–100
--   cover_weight, price_weight, margin_weight   double   their weights (state_score_weight)
--   margin_reference     double   the reference margin used

with

params as (
    select
        date_trunc('week', $week_from::date)::date as week_from,
        date_trunc('week', $week_to::date)::date as week_to,
        (select value from setting where key = 'margin_reference') as margin_reference,
        coalesce((select weight from state_score_weight where signal = 'cover'), 0) as cover_weight,
        coalesce((select weight from state_score_weight where signal = 'price_index'), 0) as price_weight,
        coalesce((select weight from state_score_weight where signal = 'margin'), 0) as margin_weight,
),

-- the cells' rows: one per customer manager × customer group (market_cell carries each
-- retailer's own trailing four weeks to the cell it belongs to in week w)
cell_row as (
    select c.*
    from market_cell as c
    -- constants, not params' columns: the scan then skips the row groups of other weeks
    where c.week between date_trunc('week', $week_from::date)::date and date_trunc('week', $week_to::date)::date
      and ($format is null or c.format = $format)
      and ($tier_band is null or c.tier_band = $tier_band)
      and ($area_type is null or c.area_type = $area_type)
      -- no join with spec unless a brand or 价类 is chosen (the condition folds to true)
      and (($brand is null and $price_class is null) or c.spec_code in (
              select spec_code from spec
              where ($brand is null or brand = $brand) and ($price_class is null or price_class = $price_class)))
      and ($spec_code is null or c.spec_code = $spec_code)
),

-- the most specific monitoring point of each customer group
group_point as (
    select
        g.format,
        g.tier_band,
        g.area_type,
        m.ratio_low,
        m.ratio_high,
        m.index_tight,
        m.index_loose,
        m.target_cover,
    from (select distinct format, tier_band, area_type from cell_row) as g
    join monitoring_point as m
        on m.format in (g.format, '*')
        and m.tier_band in (g.tier_band, '*')
        and m.area_type in (g.area_type, '*')
    qualify row_number() over (
        partition by g.format, g.tier_band, g.area_type
        order by
            (m.format <> '*')::integer + (m.tier_band <> '*')::integer + (m.area_type <> '*')::integer desc,
            m.format <> '*' desc,
            m.tier_band <> '*' desc,
            m.area_type <> '*' desc
    ) = 1
),

-- each cell's sums, and those its band is weighed from where it sold: a group's say is its
-- own sales over the four weeks, and Σ over the group's rows of sales × band is the group's
-- sales × its band, so the groups need not be summed first. Groups that match no
-- monitoring point add nothing to either side. The sums are of decimals (a band to six
-- places): exact, so they do not depend on the order a parallel sum adds its rows in, and a
-- cell on a line is judged the same on every run.
cell_week as (
    select
        c.week,
        c.spec_code,
        c.territory_code,
        sum(c.retailers)::integer as retailers,
        sum(c.stock_qty)::double as stock_qty,
        sum(c.sales_qty)::double as sales_qty,
        sum(c.priced_sales_qty)::double as priced_sales_qty,
        sum(c.retail_value)::double as retail_value,
        sum(c.sales_4w)::double as sales_4w,
        bit_or(c.weeks_known) as weeks_known,
        sum(c.sales_4w) filter (where gp.format is not null) as weight,
        sum(c.sales_4w * gp.ratio_low::decimal(18, 6)) as weighted_ratio_low,
        sum(c.sales_4w * gp.ratio_high::decimal(18, 6)) as weighted_ratio_high,
        sum(c.sales_4w * gp.index_tight::decimal(18, 6)) as weighted_index_tight,
        sum(c.sales_4w * gp.index_loose::decimal(18, 6)) as weighted_index_loose,
        sum(c.sales_4w * gp.target_cover::decimal(18, 6)) as weighted_target_cover,
        min(gp.ratio_low) filter (where c.sales_4w > 0) as least_ratio_low,
        max(gp.ratio_low) filter (where c.sales_4w > 0) as most_ratio_low,
        min(gp.ratio_high) filter (where c.sales_4w > 0) as least_ratio_high,
        max(gp.ratio_high) filter (where c.sales_4w > 0) as most_ratio_high,
        min(gp.index_tight) filter (where c.sales_4w > 0) as least_index_tight,
        max(gp.index_tight) filter (where c.sales_4w > 0) as most_index_tight,
        min(gp.index_loose) filter (where c.sales_4w > 0) as least_index_loose,
        max(gp.index_loose) filter (where c.sales_4w > 0) as most_index_loose,
        min(gp.target_cover) filter (where c.sales_4w > 0) as least_target_cover,
        max(gp.target_cover) filter (where c.sales_4w > 0) as most_target_cover,
    from cell_row as c
    left join group_point as gp using (format, tier_band, area_type)
    group by all
),

-- a cell without sales in the four weeks (few): its groups weigh by their stock (again
-- summed over their rows), or failing that equally (one row of each group counts). The
-- window keeps the join with the bands after the few rows are found.
unsold_row as (
    select
        u.week,
        u.spec_code,
        u.territory_code,
        c.format,
        c.tier_band,
        c.area_type,
        case
            when u.stock_qty > 0 then c.stock_qty
            when row_number() over (
                partition by u.week, u.spec_code, u.territory_code, c.format, c.tier_band, c.area_type
                order by c.cm_code
            ) = 1 then 1
            else 0
        end as weight,
    from cell_week as u
    join cell_row as c using (week, spec_code, territory_code)
    where not coalesce(u.sales_4w > 0, false)
),

unsold_weighing as (
    select
        r.week,
        r.spec_code,
        r.territory_code,
        sum(r.weight) as weight,
        sum(r.weight * gp.ratio_low::decimal(18, 6)) as weighted_ratio_low,
        sum(r.weight * gp.ratio_high::decimal(18, 6)) as weighted_ratio_high,
        sum(r.weight * gp.index_tight::decimal(18, 6)) as weighted_index_tight,
        sum(r.weight * gp.index_loose::decimal(18, 6)) as weighted_index_loose,
        sum(r.weight * gp.target_cover::decimal(18, 6)) as weighted_target_cover,
        min(gp.ratio_low) filter (where r.weight > 0) as least_ratio_low,
        max(gp.ratio_low) filter (where r.weight > 0) as most_ratio_low,
        min(gp.ratio_high) filter (where r.weight > 0) as least_ratio_high,
        max(gp.ratio_high) filter (where r.weight > 0) as most_ratio_high,
        min(gp.index_tight) filter (where r.weight > 0) as least_index_tight,
        max(gp.index_tight) filter (where r.weight > 0) as most_index_tight,
        min(gp.index_loose) filter (where r.weight > 0) as least_index_loose,
        max(gp.index_loose) filter (where r.weight > 0) as most_index_loose,
        min(gp.target_cover) filter (where r.weight > 0) as least_target_cover,
        max(gp.target_cover) filter (where r.weight > 0) as most_target_cover,
    from unsold_row as r
    join group_point as gp using (format, tier_band, area_type)
    group by all
),

-- each cell's band: its groups' bands weighed as above. Where every group with a say has the
-- same value, the band is that value exactly (least = most), not that value give or take the
-- last bit of a floating-point sum, so a cell exactly on a line stays on it.
cell_band as (
    select
        week,
        spec_code,
        territory_code,
        case when least_ratio_low = most_ratio_low then least_ratio_low else weighted_ratio_low / nullif(weight, 0) end
            as ratio_low,
        case when least_ratio_high = most_ratio_high then least_ratio_high else weighted_ratio_high / nullif(weight, 0) end
            as ratio_high,
        case when least_index_tight = most_index_tight then least_index_tight else weighted_index_tight / nullif(weight, 0) end
            as index_tight,
        case when least_index_loose = most_index_loose then least_index_loose else weighted_index_loose / nullif(weight, 0) end
            as index_loose,
        case when least_target_cover = most_target_cover then least_target_cover else weighted_target_cover / nullif(weight, 0) end
            as target_cover,
    from (
        select week, spec_code, territory_code, weight,
            weighted_ratio_low, weighted_ratio_high, weighted_index_tight, weighted_index_loose,
            weighted_target_cover, least_ratio_low, most_ratio_low, least_ratio_high, most_ratio_high,
            least_index_tight, most_index_tight, least_index_loose, most_index_loose,
            least_target_cover, most_target_cover,
        from cell_week
        where sales_4w > 0
        union all
        select week, spec_code, territory_code, weight,
            weighted_ratio_low, weighted_ratio_high, weighted_index_tight, weighted_index_loose,
            weighted_target_cover, least_ratio_low, most_ratio_low, least_ratio_high, most_ratio_high,
            least_index_tight, most_index_tight, least_index_loose, most_index_loose,
            least_target_cover, most_target_cover,
        from unsold_weighing
    ) as weighing
),

-- mean weekly sales over the weeks of w−3 .. w in which any of the cell's retailers has
-- known sales (bit k of weeks_known: week w − k); a cell shows in the weeks it was observed
cell as (
    select
        w.week,
        w.spec_code,
        w.territory_code,
        w.retailers,
        w.stock_qty,
        w.sales_qty,
        w.priced_sales_qty,
        w.retail_value,
        w.sales_4w / bit_count(w.weeks_known) as avg_weekly_sales_4w,
        b.ratio_low,
        b.ratio_high,
        b.index_tight,
        b.index_loose,
        b.target_cover,
    from cell_week as w
    left join cell_band as b using (week, spec_code, territory_code)
    where w.weeks_known & 1 = 1
),

cell_signal as (
    select
        c.*,
        c.stock_qty / nullif(c.avg_weekly_sales_4w, 0) as ratio,
        c.avg_weekly_sales_4w = 0 and c.stock_qty > 0 as stock_without_sales,
        100 * c.retail_value / nullif(sp.suggested_retail_price::double * c.priced_sales_qty, 0) as price_index,
        (c.retail_value - sp.wholesale_price::double * c.priced_sales_qty) / nullif(c.retail_value, 0) as margin,
        s.spec_name,
    from cell as c
    join spec as s using (spec_code)
    -- the prices in force in the week (调价 has history)
    left join ref('base/spec_price_in_week', lookback_weeks='3') as sp on sp.spec_code = c.spec_code and sp.week = c.week
),

-- each signal as a fraction of its band (null when unknown), before clamping to 0 .. 1
placed as (
    select
        s.*,
        case
            when s.ratio is not null then (s.ratio_high - s.ratio) / (s.ratio_high - s.ratio_low)
            when s.stock_without_sales then 0
        end as cover_place,
        case
            when s.index_tight > s.index_loose
                then (s.price_index - s.index_loose) / (s.index_tight - s.index_loose)
            else (s.price_index >= s.index_tight)::integer
        end as price_place,
        (s.margin - 0.5 * p.margin_reference) / p.margin_reference as margin_place,
        p.cover_weight,
        p.price_weight,
        p.margin_weight,
        p.margin_reference,
    from cell_signal as s
    cross join params as p
),

-- (greatest and least skip nulls, hence the guards)
scored as (
    select
        *,
        case when cover_place is not null then 100 * greatest(0, least(1, cover_place)) end as cover_score,
        case when price_place is not null then 100 * greatest(0, least(1, price_place)) end as price_score,
        case when margin_place is not null then 100 * greatest(0, least(1, margin_place)) end as margin_score,
        case
            when ratio > ratio_high or stock_without_sales or price_index < index_loose then 'loose'
            -- no priced sale this week (a shelf sold out) is no evidence against tightness
            when ratio < ratio_low and (price_index >= index_tight or price_index is null) then 'tight'
            when ratio is not null or price_index is not null then 'balanced'
        end as state,
    from placed
),

final as (
    select
        s.week,
        s.spec_code,
        s.spec_name,
        s.territory_code,
        t.territory_name,
        s.retailers,
        s.stock_qty,
        s.sales_qty,
        s.avg_weekly_sales_4w,
        s.ratio,
        s.price_index,
        s.margin,
        s.ratio_low,
        s.ratio_high,
        s.index_tight,
        s.index_loose,
        s.target_cover,
        s.state,
        (
            coalesce(s.cover_weight * s.cover_score, 0)
            + coalesce(s.price_weight * s.price_score, 0)
            + coalesce(s.margin_weight * s.margin_score, 0)
        ) / nullif(
            case when s.cover_score is null then 0 else s.cover_weight end
            + case when s.price_score is null then 0 else s.price_weight end
            + case when s.margin_score is null then 0 else s.margin_weight end,
            0
        ) as state_score,
        s.cover_score,
        s.price_score,
        s.margin_score,
        s.cover_weight,
        s.price_weight,
        s.margin_weight,
        s.margin_reference,
    from scored as s
    left join territory as t using (territory_code)
)

select * from final
order by week, territory_code, spec_code
