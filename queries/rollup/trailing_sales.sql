-- Rebuild trailing_sales (one row per retailer × spec × week w with known sales in any of
-- w−3 .. w) for the retailer × spec pairs in temp table touched_pair(license_no, spec_code,
-- from_date), from the week of from_date on, after weekly_observation has been refreshed.
-- A full rebuild is the same with every pair and from_date = 1900-01-01.
--
-- 存销比 sets a level's stock in week w against the same retailers' own sales over
-- w−3 .. w (DESIGN.md §2). A row of week w holds the pair's known sales of those four weeks
-- whichever 片区 they were credited to, and is attributed like weekly_observation: to the
-- retailer's assignment valid on week w's Monday. A pair's weeks reach three weeks past its
-- last known sales, so that an import of a later week finds them already there.

delete from trailing_sales as t
using touched_pair as p
where t.license_no = p.license_no
  and t.spec_code = p.spec_code
  and t.week >= date_trunc('week', p.from_date);

insert into trailing_sales by name
with

known as (
    select
        o.week,
        o.license_no,
        o.spec_code,
        o.stock_qty,
        o.sales_qty,
        o.retail_price,
        date_trunc('week', p.from_date)::date as from_week,
    from weekly_observation as o
    join touched_pair as p  -- one row per pair
        on o.license_no = p.license_no
        and o.spec_code = p.spec_code
        and o.week >= date_trunc('week', p.from_date) - interval 21 days
    where o.sales_qty is not null
),

-- each known week counts toward itself and the three weeks after it (bit k: k weeks later)
spread as (
    select
        (k.week + to_days(7 * l.lag::integer))::date as week,
        k.license_no,
        k.spec_code,
        case when l.lag = 0 then k.stock_qty end as stock_qty,
        case when l.lag = 0 then k.sales_qty end as sales_qty,
        case when l.lag = 0 then k.retail_price end as retail_price,
        k.sales_qty as sales,
        (1 << l.lag)::utinyint as bit,
        k.from_week,
    from known as k
    cross join range(4) as l(lag)
),

pair_week as (
    select
        s.week,
        s.license_no,
        s.spec_code,
        any_value(s.stock_qty) filter (where s.bit = 1) as stock_qty,
        any_value(s.sales_qty) filter (where s.bit = 1) as sales_qty,
        any_value(s.retail_price) filter (where s.bit = 1) as retail_price,
        sum(s.sales) as sales_4w,
        bit_or(s.bit) as weeks_known,
    from spread as s
    where s.week >= s.from_week
    group by s.week, s.license_no, s.spec_code
),

final as (
    select
        pw.*,
        ter.department_code,
        coalesce(a.territory_code, r.territory_code) as territory_code,
        coalesce(a.cm_code, r.cm_code) as cm_code,
        coalesce(a.format, r.format) as format,
        coalesce(a.tier, r.tier) as tier,
        band.tier_band,
        coalesce(r.area_type, ter.area_type) as area_type,
    from pair_week as pw
    join retailer as r using (license_no)
    -- the assignment in force on week w's Monday, as in weekly_observation
    asof left join retailer_assignment as a
        on pw.license_no = a.license_no
        and pw.week >= a.valid_from
    join territory as ter on ter.territory_code = coalesce(a.territory_code, r.territory_code)
    join tier_band as band on coalesce(a.tier, r.tier) between band.tier_from and band.tier_to
)

-- in week order, so that a page's week range skips the rest (row-group min/max of week)
select * from final
order by week;
