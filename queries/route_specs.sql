-- One row per retailer × spec on a customer manager's route in a week (我的线路): what each
-- retailer's card says to do. The route is the retailers open and assigned to the manager
-- that week (retailer_week: 每周拜访全覆盖 plans a visit to each); the specs are those the
-- retailer has carried (stock counted, ordered, supplied or sold at some time up to the
-- week) and the new specs (base/new_spec) it has not carried yet — what to push next.
--
--   stock_qty     stock counted at the pair's latest visit up to the week (周末库存 of that week)
--   avg_weekly_sales_4w, cover   the retailer's own trailing four weeks (trailing_sales, as
--                 存销比 reads them): cover = stock ÷ average weekly sales, null when none sold
--   status        stockout (断货风险): cover below the group's low point, or nothing left of a
--                 spec sold in the four weeks; overstock (积压): cover above the high point, or
--                 stock held with no sales in four weeks; null otherwise. The band is the
--                 monitoring point of the retailer's customer group, the most specific match
--                 (as market_state and lookup/group_band decide it)
--   retail_price, suggested_retail_price, price_off   the latest observed price against the
--                 suggested price in force that week; off when outside ± setting
--                 `price_tolerance` (default 2%, as 价格执行率)
--
-- Parameters:
--   $cm_code    the customer manager
--   $week_to    the week (Monday; any day means its week)
-- Columns:
--   license_no, territory_code, cm_code, spec_code, spec_name, brand   varchar
--   is_new        boolean  a spec launched within the 52 weeks ending at the week
--   carried       boolean  the retailer has stocked, ordered, been supplied or sold it
--   stock_qty, avg_weekly_sales_4w, cover, ratio_low, ratio_high   double
--   status        varchar  stockout | overstock | null
--   retail_price, suggested_retail_price   double   元/条
--   price_off     boolean

with

params as (
    select date_trunc('week', $week_to::date)::date as week,
        coalesce((select value from setting where key = 'price_tolerance'), 0.02) as tolerance
),

route as (
    select rw.license_no, rw.territory_code, rw.cm_code, rw.format, rw.tier_band, rw.area_type
    from retailer_week as rw, params as p
    where rw.week = p.week and rw.cm_code = $cm_code
),

band as (
    select g.format, g.tier_band, g.area_type, m.ratio_low, m.ratio_high
    from (select distinct format, tier_band, area_type from route) as g
    join monitoring_point as m
        on m.format in (g.format, '*') and m.tier_band in (g.tier_band, '*') and m.area_type in (g.area_type, '*')
    qualify row_number() over (
        partition by g.format, g.tier_band, g.area_type
        order by
            (m.format <> '*')::integer + (m.tier_band <> '*')::integer + (m.area_type <> '*')::integer desc,
            m.format <> '*' desc, m.tier_band <> '*' desc, m.area_type <> '*' desc
    ) = 1
),

seen as (
    select
        o.license_no,
        o.spec_code,
        arg_max(o.stock_qty, o.week) filter (where o.stock_qty is not null)::double as stock_qty,
        arg_max(o.retail_price, o.week) filter (where o.retail_price is not null)::double as retail_price,
        max(o.week) filter (where o.retail_price is not null) as price_week,
        bool_or(coalesce(o.stock_qty, 0) > 0 or o.demand_qty > 0 or o.supplied_qty > 0 or coalesce(o.sales_qty, 0) > 0)
            as carried,
    from weekly_observation as o
    join route as r using (license_no), params as p
    where o.week <= p.week
    group by o.license_no, o.spec_code
),

recent as (
    select t.license_no, t.spec_code, (t.sales_4w / bit_count(t.weeks_known))::double as avg_weekly_sales_4w
    from trailing_sales as t
    join route as r using (license_no), params as p
    where t.week = p.week
),

new_specs as (
    select spec_code from ref('base/new_spec')
),

pairs as (
    select license_no, spec_code from seen where carried
    union
    select r.license_no, n.spec_code from route as r cross join new_specs as n
),

price as (
    select sp.spec_code, sp.valid_from, sp.valid_to, sp.suggested_retail_price::double as suggested_retail_price
    from spec_price as sp
)

select
    r.license_no,
    r.territory_code,
    r.cm_code,
    x.spec_code,
    s.spec_name,
    s.brand,
    x.spec_code in (select spec_code from new_specs) as is_new,
    coalesce(v.carried, false) as carried,
    v.stock_qty,
    t.avg_weekly_sales_4w,
    v.stock_qty / nullif(t.avg_weekly_sales_4w, 0) as cover,
    b.ratio_low,
    b.ratio_high,
    case
        when v.stock_qty is null then null
        when coalesce(t.avg_weekly_sales_4w, 0) = 0 then case when v.stock_qty > 0 then 'overstock' end
        when v.stock_qty / t.avg_weekly_sales_4w < b.ratio_low then 'stockout'
        when v.stock_qty / t.avg_weekly_sales_4w > b.ratio_high then 'overstock'
    end as status,
    v.retail_price,
    pr.suggested_retail_price,
    coalesce(abs(v.retail_price - pr.suggested_retail_price) > p.tolerance * pr.suggested_retail_price, false)
        as price_off,
from pairs as x
join route as r using (license_no)
join spec as s on s.spec_code = x.spec_code
left join seen as v on v.license_no = x.license_no and v.spec_code = x.spec_code
left join recent as t on t.license_no = x.license_no and t.spec_code = x.spec_code
left join band as b on b.format = r.format and b.tier_band = r.tier_band and b.area_type = r.area_type
cross join params as p
left join price as pr
    on pr.spec_code = x.spec_code and pr.valid_from <= v.price_week and (pr.valid_to is null or pr.valid_to > v.price_week)
order by r.license_no, x.spec_code
