-- One row per series × week: the weekly sales the latest forecast refresh was fitted on
-- (from each series' first reported week to the data week; weeks without a usable report
-- have y null).
--
-- Parameters:
--   $spec_code        filter, null = all specs
--   $department_code  filter, null = all; a code keeps only that 市场部's rows
-- Columns:
--   unique_id        varchar  'S001:D01'; city 'S001:CITY'
--   level            varchar  department | city
--   spec_code        varchar
--   department_code  varchar  null for the city
--   ds               date     Monday of the week
--   y                double   weekly sales, 条; null: no usable report

with

latest as (
    select max(run_id) as run_id
    from forecast_run
),

final as (
    select
        h.unique_id,
        h.level,
        h.spec_code,
        h.department_code,
        h.ds::date as ds,
        h.y::double as y,
    from forecast_history as h
    join latest as l using (run_id)
    where ($spec_code is null or h.spec_code = $spec_code)
      and ($department_code is null or h.department_code = $department_code)
)

select * from final
order by spec_code, level, department_code, ds
