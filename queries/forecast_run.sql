-- One row: the latest forecast refresh (none before the first `python -m marketpulse forecast`).
--
-- Parameters: none.
-- Columns:
--   run_id          integer    refresh number
--   made_from_week  date       Monday of the last week of data the forecasts saw
--   run_at          timestamp  when the refresh ran
--   n_series        integer    series forecast (spec × 市场部 and spec × city)
--   n_fallback      integer    of those, served by the fallback (short, zero, gappy series)
--   horizon         integer    weeks ahead
--   n_origins       integer    backtest origins
--   model           varchar    model of the 市场部 series
--   seconds         double     wall time of the refresh

with

latest as (
    select *
    from forecast_run
    order by run_id desc
    limit 1
),

final as (
    select
        run_id::integer as run_id,
        made_from_week::date as made_from_week,
        run_at::timestamp as run_at,
        n_series::integer as n_series,
        n_fallback::integer as n_fallback,
        horizon::integer as horizon,
        n_origins::integer as n_origins,
        model::varchar as model,
        seconds::double as seconds,
    from latest
)

select * from final
