-- Since when each alert has held and whose it is: the run (始于, 持续周数) of alert rows one
-- row per alert × week, and the names of what they are about. Not a query of its own: the
-- query that reads it through ref('base/alert_runs') defines two relations first,
--   alert_row   the rows (base/alert_rows' columns), of every week whose runs count
--   alert_span  one row: week_from, week_to (the weeks shown), evaluated_from (the first week
--               alert_row holds) and first_week (the store's first week)
-- and gets the rows of week_from … week_to with alerts.sql's columns. A run reaching
-- evaluated_from while the store holds older weeks is marked run_open.

with

runs as (
    -- gaps and islands: weeks of one alert key that follow each other share a run id
    select
        *,
        date_diff('week', date '2000-01-03', week)
            - row_number() over (partition by kind, signal, spec_code, territory_code, cm_code, license_no order by week)
            as run_id,
    from alert_row
),

final as (
    select
        r.week,
        r.kind,
        case r.kind
            when 'overstock' then '积压' when 'stockout' then '断货风险' when 'discounting' then '价格宽松'
            when 'lagging_launch' then '新品滞后' when 'copy_suspect' then '照搬照抄'
            when 'missed_visits' then '漏访' when 'retailer_outlier' then '零售户异常'
        end as kind_zh,
        case r.kind
            when 'overstock' then 'Overstock' when 'stockout' then 'Stock-out risk' when 'discounting' then 'Discounting'
            when 'lagging_launch' then 'Lagging launch' when 'copy_suspect' then 'Copied stock counts'
            when 'missed_visits' then 'Missed visits' when 'retailer_outlier' then 'Retailer outlier'
        end as kind_en,
        case when r.severity_score >= 1 then 'high' when r.severity_score >= 0.4 then 'medium' else 'low' end as severity,
        r.severity_score::double as severity_score,
        r.spec_code,
        r.spec_name,
        coalesce(r.territory_code, cm.territory_code, ret.territory_code) as territory_code,
        coalesce(r.territory_name, t.territory_name) as territory_name,
        coalesce(r.cm_code, ret.cm_code) as cm_code,
        cm.cm_name,
        r.license_no,
        ret.retailer_name,
        r.value::double as value,
        r.threshold::double as threshold,
        min(r.week) over run as since_week,
        -- the run's weeks up to this one (a run is unbroken, so its weeks are consecutive)
        count(*) over run_so_far as weeks_running,
        min(r.week) over run = p.evaluated_from and p.first_week < p.evaluated_from as run_open,
        r.signal,
        case when r.license_no is not null then coalesce(ret.retailer_name, r.license_no) || ':' else '' end || r.reason_zh as reason_zh,
        case when r.license_no is not null then coalesce(ret.retailer_name || ' (' || r.license_no || ')', r.license_no) || ': ' else '' end || r.reason_en as reason_en,
    from runs as r
    cross join alert_span as p
    left join customer_manager as cm on cm.cm_code = r.cm_code
    left join retailer as ret on ret.license_no = r.license_no
    left join territory as t on t.territory_code = coalesce(r.territory_code, cm.territory_code, ret.territory_code)
    window run as (partition by r.kind, r.signal, r.spec_code, r.territory_code, r.cm_code, r.license_no, r.run_id),
        -- spelled out, not `(run order by r.week)`: one text for DuckDB and Spark
        run_so_far as (
            partition by r.kind, r.signal, r.spec_code, r.territory_code, r.cm_code, r.license_no, r.run_id
            order by r.week
        )
)

select f.*
from final as f
cross join alert_span as p
where f.week between p.week_from and p.week_to
