-- One row: the visit rules in force, the shared reading of them by cm_scorecard and
-- cm_visits through ref('base/visit_rules'). Not a metric itself.
--
-- Both are rows of `setting`, edited with the other rules (Data page, `marketpulse rules`):
--   visit_max_gap_days  a visit is on time when it follows the retailer's previous visit by
--                       at most this many days; default 9, a week plus two days of slack
--                       (a Tuesday visit after last Monday's is not late in practice).
--   unvisited_weeks     a retailer is listed as unvisited once it has gone this many planned
--                       weeks in a row without a visit; default 2, at least 1.
-- A store seeded before a setting existed reads its default.
--
-- Parameters: none.
-- Columns:
--   max_gap_days     integer  days allowed between a retailer's visits
--   unvisited_weeks  integer  planned weeks without a visit that make a retailer unvisited

select
    round(coalesce((select value from setting where key = 'visit_max_gap_days'), 9))::integer as max_gap_days,
    greatest(round(coalesce((select value from setting where key = 'unvisited_weeks'), 2)), 1)::integer
        as unvisited_weeks,
