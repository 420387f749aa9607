-- A full build's touched_pair, as rollup.refresh(con, None) makes it: every retailer × spec
-- pair with a visit or an order, from a day before any fact. Read by the Spark build.
select license_no, spec_code, date '1900-01-01' as from_date
from (
    select license_no, spec_code from visit_line
    union
    select license_no, spec_code from order_line
) as pair
