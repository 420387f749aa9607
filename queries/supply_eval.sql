-- One row per policy of the latest plan-eval: stock-out and overstock retailer × spec weeks
-- summed over its origins (replayed weeks of the simulated city).
--
-- Columns:
--   policy     varchar   plan | last_year | recent_average | actual
--   origins    integer   weeks replayed
--   first_origin, last_origin  date  the first and last data week replayed from
--   stockout   bigint    retailer × spec weeks whose stock ran out before demand
--   overstock  bigint    retailer × spec weeks with cover above the group's high band
--   supplied   double    Σ supplied, 条
--   sales      double    Σ sales, 条
--   run_at     timestamp when plan-eval ran

select
    e.policy,
    count(*)::integer as origins,
    min(e.origin) as first_origin,
    max(e.origin) as last_origin,
    sum(e.stockout)::bigint as stockout,
    sum(e.overstock)::bigint as overstock,
    sum(e.supplied)::double as supplied,
    sum(e.sales)::double as sales,
    max(e.run_at) as run_at,
from supply_eval as e
group by e.policy
order by e.policy
