-- One row per 规格 (spec), in pinyin order of brand then name: the spec and brand filters, the new-spec
-- picker and the brand beside each market-state cell.
--
-- Parameters: none.
-- Columns:
--   spec_code     varchar
--   spec_name     varchar
--   brand         varchar
--   price_class   varchar  价类: 一类 … 五类
--   is_key_brand  boolean  重点品牌
--   launch_date   date     上市日期

select spec_code, spec_name, brand, price_class, is_key_brand, launch_date
from spec
order by brand collate zh, spec_name collate zh, spec_code
