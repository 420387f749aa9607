-- One row per series × forecast week of the latest forecast refresh: expected weekly
-- sales with 80% and 95% intervals, per spec × 市场部 (level 'department') and per spec
-- for the city (level 'city', department_code null; the sum of its 市场部 rows).
--
-- Parameters:
--   $spec_code        filter, null = all specs
--   $department_code  filter, null = all; a code keeps only that 市场部's rows
-- Columns:
--   unique_id         varchar  'S001:D01'; city 'S001:CITY'
--   level             varchar  department | city
--   spec_code, spec_name, department_code, department_name
--   ds                date     Monday of the forecast week
--   step              integer  weeks after made_from_week (1 = next week)
--   yhat              double   expected weekly sales, 条
--   lo80, hi80        double   80% interval, 条
--   lo95, hi95        double   95% interval, 条
--   sd                double   forecast standard deviation, 条
--   model             varchar  sarimax_festival | bottom_up | fallback_mean | fallback_zero | …
--   is_fallback       boolean  served by the fallback (city: any of its 市场部 is)
--   fallback_reason   varchar  short_history | all_zero | no_data | gaps | stale | fit_failed | unstable | children
--   fallback_reason_zh, fallback_reason_en   varchar  the reason as a sentence
--   made_from_week    date     Monday of the last week of data the forecast saw

with

latest as (
    select max(run_id) as run_id
    from forecast_run
),

final as (
    select
        f.unique_id,
        f.level,
        f.spec_code,
        s.spec_name,
        f.department_code,
        d.department_name,
        f.ds::date as ds,
        f.step::integer as step,
        f.yhat::double as yhat,
        f.lo80::double as lo80,
        f.hi80::double as hi80,
        f.lo95::double as lo95,
        f.hi95::double as hi95,
        f.sd::double as sd,
        f.model,
        f.is_fallback,
        f.fallback_reason,
        f.fallback_reason_zh,
        f.fallback_reason_en,
        f.made_from_week::date as made_from_week,
    from forecast as f
    join latest as l using (run_id)
    left join spec as s using (spec_code)
    left join department as d on d.department_code = f.department_code
    where ($spec_code is null or f.spec_code = $spec_code)
      and ($department_code is null or f.department_code = $department_code)
)

select * from final
order by spec_code, level, department_code, ds
