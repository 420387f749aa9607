-- touched_retailer from touched_pair, as rollup.refresh makes it. Read by the Spark build.
select license_no, min(from_date) as from_date
from touched_pair
group by license_no
