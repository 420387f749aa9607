-- One row per 客户经理 (customer manager), in pinyin order of the name: the sidebar's managers,
-- their names on the customer-manager page and the territory each one works in.
--
-- Parameters: none.
-- Columns:
--   cm_code         varchar
--   cm_name         varchar
--   territory_code  varchar  the 片区 of the manager's route

select cm_code, cm_name, territory_code
from customer_manager
where territory_code is not null  -- a scope's former managers come without one
order by cm_name collate zh, cm_code
