-- One row per level × key at that level: the name a metric shows next to a level_key,
-- read through ref('base/level_names') and joined on `level = $level and level_key = …`.
-- Not a metric itself. Reads the reference tables, so within a scope it holds the
-- scope's departments, territories, customer managers and retailers only.
--
-- Columns:
--   level       varchar  city | department | territory | cm | retailer | brand | price_class | spec
--   level_key   varchar  code at the level, as base/observation_at_level keys it ('city' for the city)
--   level_name  varchar  its Chinese name: 全市, the department, territory, customer manager,
--                        retailer or spec name; a brand or 价类 is its own name

select 'city' as level, 'city' as level_key, '全市' as level_name
union all select 'department', department_code, department_name from department
union all select 'territory', territory_code, territory_name from territory
union all select 'cm', cm_code, cm_name from customer_manager
union all select 'retailer', license_no, retailer_name from retailer
union all select distinct 'brand', brand, brand from spec
union all select distinct 'price_class', price_class, price_class from spec
union all select 'spec', spec_code, spec_name from spec
