-- The rows of launch_observation for the pairs in touched_pair(license_no, spec_code,
-- from_date), from the week of from_date on: their weekly_observation rows in the spec's
-- launch year (the Monday of launch_date and the 51 weeks after it), after weekly_observation
-- is current. One text for DuckDB (rollup/launch_observation.sql inserts it) and Spark.

select o.*
from weekly_observation as o
join spec as s on s.spec_code = o.spec_code
where exists (
        select 1 from touched_pair as t
        where t.license_no = o.license_no
          and t.spec_code = o.spec_code
          and o.week >= date_trunc('week', t.from_date)
    )
  and o.week between date_trunc('week', s.launch_date) and date_trunc('week', s.launch_date) + interval 51 weeks
