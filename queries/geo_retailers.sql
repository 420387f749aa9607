-- One row per retailer open in a week, with its coordinates as the retailer file gave them
-- (retailer_position): the points of the map (views/geo.py converts GCJ-02 / BD-09 to WGS-84 and drops what does
-- not parse).
--
-- Parameters:
--   $week_to     the week shown (Monday): retailers closed before it or opened after it are left out
--   $format, $area_type   filters, null = all
-- Columns:
--   license_no, retailer_name, territory_code, cm_code   varchar
--   longitude, latitude   double   null when the file has none or a cell does not parse
--   coord_system          varchar  as the file said (WGS-84, GCJ-02, BD-09, 高德, 百度 …), null = WGS-84

select
    r.license_no,
    r.retailer_name,
    r.territory_code,
    r.cm_code,
    try_cast(p.longitude as double) as longitude,
    try_cast(p.latitude as double) as latitude,
    p.coord_system
from retailer as r
left join retailer_position as p using (license_no)
-- assigned to the scope now (a scope also names, without a 片区, the retailers it held before)
where r.territory_code is not null
  and (r.opened_on is null or r.opened_on <= $week_to::date + 6)
  and (r.closed_on is null or r.closed_on >= $week_to::date)
  and ($format is null or r.format = $format)
  and ($area_type is null or r.area_type = $area_type)
order by r.territory_code, r.license_no
