-- The rows of launch_order_week for the pairs in touched_pair(license_no, spec_code,
-- from_date), from the week of from_date on: the weeks of their launch_observation rows with
-- an order line asking for or supplying the spec (quantities are never negative, so a week's
-- sums are > 0 exactly when one of its lines is), after launch_observation is current. One
-- text for DuckDB (rollup/launch_observation.sql inserts it) and Spark.

select l.week, l.license_no, l.spec_code
from launch_observation as l
where exists (
        select 1 from touched_pair as t
        where t.license_no = l.license_no
          and t.spec_code = l.spec_code
          and l.week >= date_trunc('week', t.from_date)
    )
  and (l.demand_qty > 0 or l.supplied_qty > 0)
