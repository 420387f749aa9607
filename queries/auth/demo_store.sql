-- One row: whether the store is the simulated demo city (its planted events are recorded).
--
-- Parameters: none.
-- Columns:
--   is_demo  boolean

select count(*) > 0 as is_demo
from demo_truth
