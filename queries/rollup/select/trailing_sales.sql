-- The rows of trailing_sales (one per retailer × spec × week w with known sales in any of
-- w−3 .. w) for the retailer × spec pairs in touched_pair(license_no, spec_code, from_date),
-- from the week of from_date on, after weekly_observation is current. One text for DuckDB
-- (rollup/trailing_sales.sql inserts it) and Spark (transpiled).
--
-- 存销比 sets a level's stock in week w against the same retailers' own sales over
-- w−3 .. w (DESIGN.md §2). A row of week w holds the pair's known sales of those four weeks
-- whichever 片区 they were credited to, and is attributed like weekly_observation: to the
-- retailer's assignment valid on week w's Monday. A pair's weeks reach three weeks past its
-- last known sales, so that an import of a later week finds them already there.

with

known as (
    select
        o.week,
        o.license_no,
        o.spec_code,
        o.stock_qty,
        o.sales_qty,
        o.retail_price,
        cast(date_trunc('week', p.from_date) as date) as from_week,
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
        cast(k.week + to_days(7 * l.step) as date) as week,
        k.license_no,
        k.spec_code,
        case when l.step = 0 then k.stock_qty end as stock_qty,
        case when l.step = 0 then k.sales_qty end as sales_qty,
        case when l.step = 0 then k.retail_price end as retail_price,
        k.sales_qty as sales,
        (1 << l.step)::utinyint as bit,
        k.from_week,
    from known as k
    cross join (values (0), (1), (2), (3)) as l(step)
),

pair_week as (
    select
        s.week,
        s.license_no,
        s.spec_code,
        -- week w's own row, the one with bit 1 (max of one value)
        max(s.stock_qty) filter (where s.bit = 1) as stock_qty,
        max(s.sales_qty) filter (where s.bit = 1) as sales_qty,
        max(s.retail_price) filter (where s.bit = 1) as retail_price,
        sum(s.sales) as sales_4w,
        bit_or(s.bit) as weeks_known,
    from spread as s
    where s.week >= s.from_week
    group by s.week, s.license_no, s.spec_code
),

-- each assignment with the day the next one starts (null: none after it), as an asof join finds it
assignment as (
    select
        *,
        lead(valid_from) over (partition by license_no order by valid_from) as next_from,
    from retailer_assignment
)

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
join retailer as r on r.license_no = pw.license_no
-- the assignment in force on week w's Monday, as in weekly_observation
left join assignment as a
    on a.license_no = pw.license_no
    and pw.week >= a.valid_from
    and (a.next_from is null or pw.week < a.next_from)
join territory as ter on ter.territory_code = coalesce(a.territory_code, r.territory_code)
join tier_band as band on coalesce(a.tier, r.tier) between band.tier_from and band.tier_to
