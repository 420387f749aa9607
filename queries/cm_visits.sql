-- One row per retailer × week of one customer manager's route: visits and their quality.
-- Which of my retailers did I visit each week, which have gone unvisited for the planned
-- weeks the rules allow, and which reports look copied (照搬照抄)? The detail behind
-- cm_scorecard, with its rules (base/visit_rules).
--
-- Rows: the retailer-weeks in week_from … week_to in which the retailer was open and
-- assigned to $cm_code (retailer_week), visited or not. Visits are all reports filed for
-- the retailer that week, whoever filed them.
--   weeks_unvisited   whole weeks since the week of the last visit (0 = visited this
--                     week, 1 = last week ...); null when never visited.
--   unvisited         the retailer has gone N planned weeks in a row without a visit, N =
--                     setting `unvisited_weeks` (default 2), as in cm_scorecard: no visit since
--                     the Monday of the first of the N weeks ending at this week, and open in
--                     all N (a retailer never visited: open N weeks, the store holding facts
--                     for all N).
--   late_visits       reports more than setting `visit_max_gap_days` days (default 9: a week
--                     plus two days of slack) after the retailer's previous visit.
--   copy_suspect_visits  reports flagged copy_suspect (≥ 5 specs, all counts equal to the
--                     previous visit's although sales or supplied orders happened between).
--
-- Parameters:
--   $cm_code    the customer manager
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type   retailer filters, null = all
-- Columns:
--   week                 date     Monday of the ISO week
--   level_key            varchar  the retailer's license number (许可证号)
--   level_name           varchar  the retailer's name
--   territory_code       varchar  片区 that week
--   format               varchar  业态 that week
--   tier                 integer  档位 that week
--   visits               integer  visit reports that week
--   visited              boolean  visits > 0
--   last_visit_date      date     latest visit on or before the week's Sunday
--   weeks_unvisited      integer  weeks since the week of the last visit
--   unvisited            boolean  not visited for unvisited_weeks planned weeks up to this week
--   spec_lines           bigint   specs counted in the week's reports
--   max_days_since_previous integer  longest gap to the previous visit among the week's reports
--   late_visits          bigint   reports more than max_gap_days after the previous visit
--   copy_suspect_visits  bigint   reports flagged copy-suspect
--   copy_suspect_dates   varchar  their dates, comma-separated (yyyy-mm-dd)
--   max_gap_days         integer  the on-time rule used (setting visit_max_gap_days)
--   unvisited_weeks      integer  the unvisited rule used (setting unvisited_weeks)

with

params as (
    select
        date_trunc('week', $week_from::date)::date as week_from,
        date_trunc('week', $week_to::date)::date as week_to,
        r.max_gap_days,
        r.unvisited_weeks,
        (select min(week) from retailer_week) as first_week,
    from ref('base/visit_rules') as r
),

route as (
    select
        rw.*,
        -- Monday of the first of the unvisited_weeks weeks ending at this one
        rw.week - 7 * (p.unvisited_weeks - 1) as unvisited_since,
    from retailer_week as rw
    cross join params as p
    where rw.week between p.week_from and p.week_to
      and rw.cm_code = $cm_code
      and ($format is null or rw.format = $format)
      and ($tier_band is null or rw.tier_band = $tier_band)
      and ($area_type is null or rw.area_type = $area_type)
),

report as (
    select
        rv.week,
        rv.license_no,
        sum(rv.spec_lines) as spec_lines,
        max(rv.days_since_previous) as max_days_since_previous,
        count(*) filter (where rv.days_since_previous > p.max_gap_days) as late_visits,
        count(*) filter (where rv.copy_suspect) as copy_suspect_visits,
        string_agg(strftime(rv.visit_date, '%Y-%m-%d'), ',' order by rv.visit_date)
            filter (where rv.copy_suspect) as copy_suspect_dates,
    from retailer_visit as rv
    cross join params as p
    semi join route on route.license_no = rv.license_no and route.week = rv.week
    where rv.week between p.week_from and p.week_to
    group by all
),

final as (
    -- a route week is an open week, hence so is every week since the retailer opened
    select
        ro.week,
        ro.license_no as level_key,
        r.retailer_name as level_name,
        ro.territory_code,
        ro.format,
        ro.tier,
        ro.visits,
        ro.visits > 0 as visited,
        ro.last_visit_date,
        (date_diff('day', date_trunc('week', ro.last_visit_date)::date, ro.week) // 7)::integer
            as weeks_unvisited,
        coalesce(
            ro.last_visit_date < ro.unvisited_since
                or (ro.last_visit_date is null
                    and (r.opened_on is null or r.opened_on <= ro.unvisited_since + 6)
                    and ro.unvisited_since >= p.first_week),
            false
        ) as unvisited,
        coalesce(rep.spec_lines, 0)::bigint as spec_lines,
        rep.max_days_since_previous,
        coalesce(rep.late_visits, 0) as late_visits,
        coalesce(rep.copy_suspect_visits, 0) as copy_suspect_visits,
        rep.copy_suspect_dates,
        p.max_gap_days,
        p.unvisited_weeks,
    from route as ro
    cross join params as p
    left join report as rep using (week, license_no)
    left join retailer as r using (license_no)
    where ro.week >= p.week_from
)

select * from final
order by level_key, week
