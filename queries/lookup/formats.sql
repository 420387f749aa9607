-- One row per 业态 (retail format) any retailer has: the format filter's options.
--
-- Parameters: none.
-- Columns:
--   format  varchar

select distinct format
from retailer
where format is not null  -- a scope's former retailers come without one
order by format
