-- The rows of retailer_visit (one per retailer × visit date) for the retailers in
-- touched_retailer(license_no, from_date), from the week of from_date on. One text for
-- DuckDB (rollup/retailer_visit.sql inserts it) and Spark (transpiled).
-- A visit is copy-suspect (照搬照抄) when it counted ≥ 5 specs, every one of them equal to
-- the count at the previous visit, although sales or supplied orders happened in between.

with

-- where each line's stream starts: the pair's last line before the retailer's first week rebuilt
-- (its previous count; the latest of them is the retailer's previous visit), else that week;
-- nothing earlier changes a rebuilt visit, so older lines are not read
pair_start as (
    select
        v.license_no,
        v.spec_code,
        max(v.visit_date) as start_date,
    from visit_line as v
    join touched_retailer as t
        on t.license_no = v.license_no
        and v.visit_date < date_trunc('week', t.from_date)
    -- (a constant bound first: a full rebuild, from 1900, then reads no line here)
    where v.visit_date < (select max(date_trunc('week', from_date)) from touched_retailer)
    group by v.license_no, v.spec_code
),

retailer_line as (
    select
        v.visit_date,
        v.license_no,
        v.spec_code,
        v.cm_code,
        v.stock_qty,
        v.sales_qty,
        lag(v.stock_qty) over pair as prev_stock,
        lag(v.visit_date) over pair as prev_date,
    from visit_line as v
    join touched_retailer as t on t.license_no = v.license_no
    left join pair_start as p on p.license_no = v.license_no and p.spec_code = v.spec_code
    where v.visit_date >= coalesce(p.start_date, date_trunc('week', t.from_date))
    window pair as (partition by v.license_no, v.spec_code order by v.visit_date)
),

visit as (
    select
        visit_date,
        license_no,
        any_value(cm_code) as cm_code,
        count(*)::integer as spec_lines,
        count(prev_stock)::integer as compared_lines,
        count(*) filter (where stock_qty = prev_stock)::integer as unchanged_lines,
        bool_or(coalesce(sales_qty, 0) > 0) as reported_sales,
    from retailer_line
    group by all
),

visit_sequence as (
    select
        *,
        lag(visit_date) over (partition by license_no order by visit_date) as prev_visit_date,
    from visit
),

touched_visit as (
    select vs.*
    from visit_sequence as vs
    where exists (
        select 1
        from touched_retailer as t
        where t.license_no = vs.license_no
          and vs.visit_date >= date_trunc('week', t.from_date)
    )
),

supplied_between as (
    select
        vs.license_no,
        vs.visit_date,
        sum(o.supplied_qty) as supplied_qty,
    from touched_visit as vs
    join order_line as o
        on o.license_no = vs.license_no
        and o.order_date > vs.prev_visit_date
        and o.order_date <= vs.visit_date
    group by all
),

-- each assignment with the day the next one starts (null: none after it), as an asof join finds it
assignment as (
    select
        *,
        lead(valid_from) over (partition by license_no order by valid_from) as next_from,
    from retailer_assignment
)

select
    vs.visit_date,
    cast(date_trunc('week', vs.visit_date) as date) as week,
    vs.license_no,
    vs.cm_code,
    ter.department_code,
    coalesce(a.territory_code, r.territory_code) as territory_code,
    coalesce(a.format, r.format) as format,
    coalesce(a.tier, r.tier) as tier,
    band.tier_band,
    coalesce(r.area_type, ter.area_type) as area_type,
    vs.spec_lines,
    vs.compared_lines,
    vs.unchanged_lines,
    vs.reported_sales or coalesce(sb.supplied_qty, 0) > 0 as activity_between,
    date_diff('day', vs.prev_visit_date, vs.visit_date)::integer as days_since_previous,
    vs.spec_lines >= 5
        and vs.compared_lines = vs.spec_lines
        and vs.unchanged_lines = vs.spec_lines
        and (vs.reported_sales or coalesce(sb.supplied_qty, 0) > 0) as copy_suspect,
from touched_visit as vs
left join supplied_between as sb on sb.license_no = vs.license_no and sb.visit_date = vs.visit_date
join retailer as r on r.license_no = vs.license_no
-- the assignment in force on the week's Monday; before the first one, the current
left join assignment as a
    on a.license_no = vs.license_no
    and date_trunc('week', vs.visit_date) >= a.valid_from
    and (a.next_from is null or date_trunc('week', vs.visit_date) < a.next_from)
join territory as ter on ter.territory_code = coalesce(a.territory_code, r.territory_code)
join tier_band as band on coalesce(a.tier, r.tier) between band.tier_from and band.tier_to
