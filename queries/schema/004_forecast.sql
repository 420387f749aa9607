-- Store schema, version 4: stored demand forecasts, the history they were fitted on and
-- their backtest accuracy. Written by `python -m marketpulse forecast` in one writer
-- block; pages read them and never fit a model while a user waits.
-- Series: one per spec × 市场部 (level 'department') and one per spec for the city
-- (level 'city', department_code null, the bottom-up sum of its 市场部 series).

create table forecast_run (          -- one row per forecast refresh
    run_id         integer primary key,
    made_from_week date not null,     -- Monday of the last week of data the forecasts saw
    run_at         timestamp not null,
    n_series       integer not null,  -- series forecast, both levels
    n_fallback     integer not null,  -- of those, served by the fallback
    horizon        integer not null,  -- weeks ahead
    n_origins      integer not null,  -- backtest origins
    model          varchar not null,  -- model of the 市场部 series
    seconds        double not null    -- wall time of the refresh
);

create table forecast (               -- one row per run × series × week ahead
    run_id             integer not null,
    unique_id          varchar not null,   -- 'S001:D01'; city series 'S001:CITY'
    level              varchar not null check (level in ('department', 'city')),
    spec_code          varchar not null,
    department_code    varchar,            -- null for the city series
    ds                 date not null,      -- Monday of the forecast week
    step               integer not null,   -- weeks after made_from_week (1 = next week)
    yhat               double not null,    -- expected weekly sales, 条
    lo80               double not null,    -- 80% interval, 条
    hi80               double not null,
    lo95               double not null,    -- 95% interval, 条
    hi95               double not null,
    sd                 double not null,    -- forecast standard deviation, 条
    model              varchar not null,   -- sarimax_festival, bottom_up, fallback_mean, fallback_zero …
    is_fallback        boolean not null,
    fallback_reason    varchar,            -- short_history, all_zero, no_data, gaps, stale, fit_failed, unstable, children
    fallback_reason_zh varchar,
    fallback_reason_en varchar,
    made_from_week     date not null,
    primary key (run_id, unique_id, ds)
);

create table forecast_history (       -- the weekly sales the latest run was fitted on
    run_id          integer not null,
    unique_id       varchar not null,
    level           varchar not null check (level in ('department', 'city')),
    spec_code       varchar not null,
    department_code varchar,
    ds              date not null,      -- Monday of the week
    y               double,             -- weekly sales, 条; null: no usable report that week
    primary key (run_id, unique_id, ds)
);

create table forecast_accuracy (      -- one row per run × series: rolling-origin backtest
    run_id                        integer not null,
    unique_id                     varchar not null,
    level                         varchar not null check (level in ('department', 'city')),
    spec_code                     varchar not null,
    department_code               varchar,
    n_points                      integer not null,  -- weeks scored (all three methods known)
    n_festival_points             integer not null,  -- of those, in the festival window
    mase_scale                    double,  -- mean |week-on-week change| before the first origin
    mase_model                    double,
    mase_seasonal_naive           double,  -- same ISO week last year
    mase_festival_naive           double,  -- same week relative to last year's festival
    smape_model                   double,  -- percent, 0–200
    smape_seasonal_naive          double,
    smape_festival_naive          double,
    mase_model_festival           double,  -- MASE on festival-window weeks only
    mase_seasonal_naive_festival  double,
    mase_festival_naive_festival  double,
    share_fallback                double,  -- share of scored weeks forecast by the fallback
    primary key (run_id, unique_id)
);
