-- One row per spec × 市场部 × week with a visit report: the weekly sales the demand
-- forecasts are fitted on (DESIGN.md §2 sales: reported, else estimated by stock change).
--
-- Parameters:
--   $as_of      date or null: last week to read (any day means its week); null = the
--               latest week with known sales (the data week)
--   $spec_code  filter, null = all specs
-- Columns:
--   spec_code        varchar
--   department_code  varchar  市场部 of the retailers (their assignment that week)
--   ds               date     Monday of the ISO week
--   y                double   Σ sales_qty of the week, 条; null when no line of the week has known sales

with

observation as (
    select
        o.spec_code,
        o.department_code,
        o.week,
        o.sales_qty::double as sales_qty,
    from weekly_observation as o
    where o.visit_lines > 0
      and ($spec_code is null or o.spec_code = $spec_code)
),

data_week as (
    select
        coalesce(
            date_trunc('week', $as_of::date)::date,
            (select max(week) from observation where sales_qty is not null)
        ) as week,
),

final as (
    select
        o.spec_code,
        o.department_code,
        o.week as ds,
        sum(o.sales_qty) as y,
    from observation as o
    cross join data_week as d
    where o.week <= d.week
    group by all
)

select * from final
order by spec_code, department_code, ds
