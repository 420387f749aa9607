-- One row per 片区 (territory), in pinyin order of its name: the sidebar's territories and
-- the territory a page falls back to when none is chosen.
--
-- Parameters: none.
-- Columns:
--   territory_code   varchar
--   territory_name   varchar
--   department_code  varchar  the 市场部 it belongs to
--   area_type        varchar  城网 | 农网

select territory_code, territory_name, department_code, area_type
from territory
order by territory_name collate zh, territory_code
