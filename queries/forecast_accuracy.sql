-- One row per series of the latest forecast refresh: its rolling-origin backtest accuracy
-- next to the two naive baselines. MASE below 1 beats the naive week-on-week change of
-- the series' own history; the model should beat both baselines.
--
-- Parameters: none (filter the rows in scope by spec or 市场部 in the caller).
-- Columns:
--   unique_id, level, spec_code, spec_name, department_code, department_name
--   n_points                 integer  weeks scored (actual and all three forecasts known)
--   n_festival_points        integer  of those, in the festival window (weeks −3 … +2)
--   mase_scale               double   mean |week-on-week change| before the first origin, 条
--   mase_model               double   MASE of the forecast model
--   mase_seasonal_naive      double   MASE of "same ISO week last year"
--   mase_festival_naive      double   MASE of "same week relative to last year's festival"
--   smape_model, smape_seasonal_naive, smape_festival_naive   double  sMAPE, percent 0–200
--   mase_model_festival, mase_seasonal_naive_festival, mase_festival_naive_festival
--                            double   MASE on festival-window weeks only
--   share_fallback           double   share of scored weeks forecast by the fallback
--   made_from_week           date     data week of the refresh

with

latest as (
    select run_id, made_from_week
    from forecast_run
    order by run_id desc
    limit 1
),

final as (
    select
        a.unique_id,
        a.level,
        a.spec_code,
        s.spec_name,
        a.department_code,
        d.department_name,
        a.n_points::integer as n_points,
        a.n_festival_points::integer as n_festival_points,
        a.mase_scale::double as mase_scale,
        a.mase_model::double as mase_model,
        a.mase_seasonal_naive::double as mase_seasonal_naive,
        a.mase_festival_naive::double as mase_festival_naive,
        a.smape_model::double as smape_model,
        a.smape_seasonal_naive::double as smape_seasonal_naive,
        a.smape_festival_naive::double as smape_festival_naive,
        a.mase_model_festival::double as mase_model_festival,
        a.mase_seasonal_naive_festival::double as mase_seasonal_naive_festival,
        a.mase_festival_naive_festival::double as mase_festival_naive_festival,
        a.share_fallback::double as share_fallback,
        l.made_from_week::date as made_from_week,
    from forecast_accuracy as a
    join latest as l using (run_id)
    left join spec as s using (spec_code)
    left join department as d on d.department_code = a.department_code
)

select * from final
order by spec_code, level, department_code
