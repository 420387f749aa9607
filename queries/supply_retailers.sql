-- One row per retailer × spec the retailer carried in the four weeks to the data week: what
-- a supply plan (货源投放) needs of each retailer — its customer group, its stock, its
-- recent sales and supply — and what the replay's baselines supply it.
-- Computed from these rows by marketpulse/supply/plan.py (demand share per 档位, stock per
-- group) and marketpulse/simulate/replay.py ("recent average" and "as last year").
--
-- A pair is carried when it has stock, known sales or supply in w−3 .. w. Customer group
-- (市场部, 片区, 客户经理, 业态, 档位, 城网/农网): the retailer's current assignment, the
-- one next week's 限量 applies to. Retailers closed by the end of the plan week are left out.
--
-- Parameters:
--   $week   the data week (Monday; any day means its week), null = the latest week with data;
--           the plan is for the week after
-- Columns:
--   license_no, spec_code, department_code, territory_code, cm_code, format   varchar
--   tier                 integer  档位 1–30
--   tier_band            varchar  the 档位 band of the monitoring points
--   area_type            varchar  城网 | 农网
--   stock_qty            double   the latest stock count in w−3 .. w, 条 (0 when none)
--   sales_4w             double   Σ known sales over w−3 .. w, 条
--   weeks_known          integer  weeks of w−3 .. w whose sales are known
--   weekly_sales         double   sales_4w ÷ weeks_known; else supplied_4w ÷ 4, 条/周
--   supplied_4w          double   mean weekly supplied over w−3 .. w, 条 ("recent average")
--   supplied_last        double   supplied in the data week, 条
--   supplied_last_year   double   supplied in the plan week's same week last year (w + 1 − 52), 条

with

params as (
    -- (spec_cm_week sums weekly_observation by week: the same last week, from a twentieth of the rows)
    select date_trunc('week', coalesce($week::date, (select max(week) from spec_cm_week)))::date as week,
),

recent as (
    select
        o.license_no,
        o.spec_code,
        arg_max(o.stock_qty, o.week) filter (where o.stock_qty is not null) as stock_qty,
        sum(o.supplied_qty) / 4 as supplied_4w,
        coalesce(sum(o.supplied_qty) filter (where o.week = (select week from params)), 0) as supplied_last,
    from weekly_observation as o
    where o.week between (select week from params) - interval 21 days and (select week from params)
    group by all
),

known as (
    select
        s.license_no,
        s.spec_code,
        s.sales_4w,
        bit_count(s.weeks_known)::integer as weeks_known,
    from trailing_sales as s
    where s.week = (select week from params)
),

last_year as (
    select
        o.license_no,
        o.spec_code,
        sum(o.supplied_qty) as supplied_last_year,
    from weekly_observation as o
    where o.week = (select week from params) + interval 7 days - interval 364 days
    group by all
),

final as (
    select
        r.license_no,
        p.spec_code,
        t.department_code,
        r.territory_code,
        r.cm_code,
        r.format,
        r.tier::integer as tier,
        b.tier_band,
        coalesce(r.area_type, t.area_type) as area_type,
        coalesce(p.stock_qty, 0)::double as stock_qty,
        coalesce(k.sales_4w, 0)::double as sales_4w,
        coalesce(k.weeks_known, 0)::integer as weeks_known,
        case
            when k.weeks_known > 0 then k.sales_4w / k.weeks_known
            else p.supplied_4w
        end::double as weekly_sales,
        p.supplied_4w::double as supplied_4w,
        p.supplied_last::double as supplied_last,
        coalesce(y.supplied_last_year, 0)::double as supplied_last_year,
    from recent as p
    left join known as k using (license_no, spec_code)
    left join last_year as y using (license_no, spec_code)
    join retailer as r on r.license_no = p.license_no
    join territory as t on t.territory_code = r.territory_code
    join tier_band as b on r.tier between b.tier_from and b.tier_to
    where (r.closed_on is null or r.closed_on > (select week from params) + interval 13 days)
      and (coalesce(p.stock_qty, 0) > 0 or coalesce(k.sales_4w, 0) > 0 or p.supplied_4w > 0)
)

select * from final
order by spec_code, license_no
