-- The fixed-weight index's arithmetic, read through ref('base/fixed_index') by
-- price_index_fixed.sql (its definition) and kept/price_index_fixed.sql: one row per level key ×
-- week with price_index_fixed's columns. Not a query of its own: its includer defines first
--   weight   the fixed weights, base/fixed_weight's columns (evaluated, or as the lake keeps them)
-- and binds price_index_fixed's parameters.

with

params as (
    select
        date_trunc('week', $week_from::date)::date as week_from,
        date_trunc('week', $week_to::date)::date as week_to,
),

spec_week as (
    select
        o.week,
        o.level_key,
        o.spec_code,
        (sum(o.retail_price_sum) / sum(o.price_observations))::double as actual_price,
        any_value(o.suggested_retail_price)::double as suggested_price,  -- one price per spec and week
        sum(o.price_observations)::integer as observations,
    -- the observations' roll-up cells: the mean price is Σ price ÷ the observations priced
    from ref('base/cell_at_level', lookback_weeks='0', product_level='all') as o
    cross join params as p
    where o.week between p.week_from and p.week_to
      and o.price_observations > 0
    group by all
),

weighted as (
    select
        s.*,
        isoyear(s.week)::integer - 1 as weight_year,
        w.weight_rule,
        w.weight_weeks,
        case when w.weight > 0 then w.weight end as weight,
    from spec_week as s
    left join weight as w
        on w.level_key = s.level_key
        and w.spec_code = s.spec_code
        and w.weight_year = isoyear(s.week) - 1
        and s.week >= w.weight_from
),

level_week as (
    select
        week,
        level_key,
        weight_year,
        max(weight_weeks) filter (where weight is not null) as weight_weeks,
        sum(actual_price * weight) as retail_value,
        sum(suggested_price * weight) as suggested_value,
        sum(weight) as weight_qty,
        count(weight)::integer as specs,
        count(weight) filter (where weight_rule = 'first_13_weeks')::integer as new_specs,
        (count(*) - count(weight))::integer as unweighted_specs,
        sum(observations)::integer as observations,
    from weighted
    group by all
),

final as (
    select
        w.week,
        w.level_key,
        n.level_name,
        100 * w.retail_value / nullif(w.suggested_value, 0) as price_index,
        w.weight_year,
        w.weight_weeks,
        w.retail_value,
        w.suggested_value,
        w.weight_qty,
        w.specs,
        w.new_specs,
        w.unweighted_specs,
        w.observations,
    from level_week as w
    left join ref('base/level_names') as n on n.level = $level and n.level_key = w.level_key
)

select * from final
