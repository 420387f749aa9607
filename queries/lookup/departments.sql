-- One row per 市场部 (department), in pinyin order of its name: the sidebar's first filter.
--
-- Parameters: none.
-- Columns:
--   department_code  varchar
--   department_name  varchar

select department_code, department_name
from department
order by department_name collate zh, department_code
