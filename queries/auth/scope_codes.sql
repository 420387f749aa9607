-- One row per 市场部, 片区 and customer manager code an account may be bound to.
--
-- Parameters: none.
-- Columns:
--   level  varchar  department | territory | cm
--   code   varchar
--   department_code, territory_code  varchar  where the code lies (null above its level)

select 'department' as level, department_code as code, department_code, null::varchar as territory_code
from department
union all
select 'territory', territory_code, department_code, territory_code from territory
union all
select 'cm', c.cm_code, t.department_code, c.territory_code
from customer_manager as c left join territory as t using (territory_code)
order by level, code
