-- One row per interval level of the latest forecast refresh: how many backtest actuals fell
-- inside the model's 80 % and 95 % intervals, and, where that was off by more than 5 points,
-- the conformal factor the intervals were widened by and the coverage after it.
--
-- Columns:
--   level           varchar  '80' | '95'
--   nominal         double   nominal coverage, %
--   points          integer  backtest points scored
--   coverage        double   % of actuals inside the model's interval
--   factor          double   sd factor applied (1 = not recalibrated)
--   widened         boolean  recalibrated from backtest residuals
--   coverage_after  double   % inside the recalibrated interval

select
    c.level,
    c.nominal,
    c.points,
    c.coverage,
    c.factor,
    c.widened,
    c.coverage_after,
from forecast_calibration as c
where c.run_id = (select max(run_id) from forecast_run)
order by c.nominal
