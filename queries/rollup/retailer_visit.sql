-- Rebuild retailer_visit (one row per retailer × visit date) for the retailers in temp
-- table touched_retailer(license_no, from_date), from the week of from_date on.
-- A visit is copy-suspect (照搬照抄) when it counted ≥ 5 specs, every one of them equal to
-- the count at the previous visit, although sales or supplied orders happened in between.

delete from retailer_visit as rv
using touched_retailer as t
where rv.license_no = t.license_no
  and rv.visit_date >= date_trunc('week', t.from_date);

insert into retailer_visit by name
with

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
    semi join touched_retailer as t on v.license_no = t.license_no
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

supplied_between as (
    select
        vs.license_no,
        vs.visit_date,
        sum(o.supplied_qty) as supplied_qty,
    from visit_sequence as vs
    join order_line as o
        on o.license_no = vs.license_no
        and o.order_date > vs.prev_visit_date
        and o.order_date <= vs.visit_date
    group by all
),

final as (
    select
        vs.visit_date,
        date_trunc('week', vs.visit_date)::date as week,
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
    from visit_sequence as vs
    semi join touched_retailer as t
        on vs.license_no = t.license_no
        and vs.visit_date >= date_trunc('week', t.from_date)
    left join supplied_between as sb using (license_no, visit_date)
    join retailer as r using (license_no)
    asof left join retailer_assignment as a
        on vs.license_no = a.license_no
        and date_trunc('week', vs.visit_date) >= a.valid_from
    join territory as ter on ter.territory_code = coalesce(a.territory_code, r.territory_code)
    join tier_band as band on coalesce(a.tier, r.tier) between band.tier_from and band.tier_to
)

-- in week order, so that a page's week range skips the rest (row-group min/max of week)
select * from final
order by week;
