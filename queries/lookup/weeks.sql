-- One row per week with observations: the weeks the sidebar offers, oldest first.
--
-- Parameters: none.
-- Columns:
--   week  date  Monday of the ISO week

select distinct week
from weekly_observation
order by week
