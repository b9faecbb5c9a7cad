-- The benchmark's baseline (npm run bench:build): the OEE cells of CONTRACT §2-3, written by
-- hand as one DuckDB query over the raw entity views, with no model engine, no tests and no
-- materialized intermediate. It is also a second, independent implementation of the time
-- rules: test/crosscheck compares it with the warehouse's fact_machine_shift cell by cell.
-- Small-stop threshold: 300 s (CONTRACT §3 default).
WITH machine_plant AS (
  SELECT m.machine_id, l.plant_id FROM machines m JOIN lines l USING (line_id)
),
cutoff AS (
  SELECT mp.plant_id, max(c.interval_end) AS cutoff_ts
  FROM production_counts c JOIN machine_plant mp USING (machine_id)
  GROUP BY mp.plant_id
),
shift AS (
  SELECT s.shift_id, s.plant_id, s.start_ts, least(s.end_ts, k.cutoff_ts) AS end_ts
  FROM shifts s JOIN cutoff k USING (plant_id)
  WHERE s.start_ts < k.cutoff_ts
),
event AS (
  SELECT e.event_id, e.machine_id, mp.plant_id, e.start_ts,
         coalesce(e.end_ts, k.cutoff_ts) AS end_ts, r.planned, r.loss_category
  FROM downtime_events e
  JOIN downtime_reasons r USING (reason_code)
  JOIN machine_plant mp USING (machine_id)
  JOIN cutoff k USING (plant_id)
  WHERE coalesce(e.end_ts, k.cutoff_ts) > e.start_ts
),
-- Gaps and islands: a new stop starts where an event begins after every earlier one ended.
event_island AS (
  SELECT *, sum(CASE WHEN start_ts <= previous_end THEN 0 ELSE 1 END)
              OVER (PARTITION BY machine_id, planned ORDER BY start_ts, end_ts, event_id
                    ROWS UNBOUNDED PRECEDING) AS island
  FROM (
    SELECT *, max(end_ts) OVER (PARTITION BY machine_id, planned ORDER BY start_ts, end_ts, event_id
                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_end
    FROM event
  )
),
stop AS (
  SELECT machine_id, plant_id, planned, min(start_ts) AS start_ts, max(end_ts) AS end_ts,
         first(loss_category ORDER BY epoch(end_ts) - epoch(start_ts) DESC, start_ts, event_id) AS loss_category
  FROM event_island
  GROUP BY machine_id, plant_id, planned, island
),
-- Each stop clipped to the cut-off (shift ends already are) and split at shift boundaries.
part AS (
  SELECT st.machine_id, sh.shift_id, st.planned, st.loss_category,
         epoch(st.end_ts) - epoch(st.start_ts) < 300 AS small,
         greatest(st.start_ts, sh.start_ts) AS start_ts, least(st.end_ts, sh.end_ts) AS end_ts
  FROM stop st JOIN shift sh ON sh.plant_id = st.plant_id
   AND st.start_ts < sh.end_ts AND st.end_ts > sh.start_ts
),
-- An unplanned part loses whatever planned time it overlaps (merged planned parts never overlap).
-- The FILTER matters: DuckDB's least/greatest skip NULLs, so an unmatched row would subtract itself.
unplanned AS (
  SELECT u.machine_id, u.shift_id, u.loss_category, u.small,
         epoch(u.end_ts) - epoch(u.start_ts)
           - coalesce(sum(epoch(least(u.end_ts, p.end_ts)) - epoch(greatest(u.start_ts, p.start_ts)))
                      FILTER (WHERE p.machine_id IS NOT NULL), 0) AS remaining_s
  FROM part u
  LEFT JOIN part p ON p.planned AND p.machine_id = u.machine_id AND p.shift_id = u.shift_id
   AND p.start_ts < u.end_ts AND p.end_ts > u.start_ts
  WHERE NOT u.planned
  GROUP BY u.machine_id, u.shift_id, u.loss_category, u.small, u.start_ts, u.end_ts
),
stop_cell AS (
  SELECT machine_id, shift_id,
         sum(CASE WHEN NOT small THEN remaining_s ELSE 0 END) AS stop_s,
         sum(CASE WHEN NOT small AND loss_category = 'breakdown' THEN remaining_s ELSE 0 END) AS breakdown_s,
         sum(CASE WHEN NOT small AND loss_category = 'setup' THEN remaining_s ELSE 0 END) AS setup_s,
         sum(CASE WHEN NOT small AND loss_category NOT IN ('breakdown', 'setup') THEN remaining_s ELSE 0 END) AS other_stop_s,
         sum(CASE WHEN small THEN remaining_s ELSE 0 END) AS small_stop_s
  FROM unplanned GROUP BY ALL
),
planned_cell AS (
  SELECT machine_id, shift_id, sum(epoch(end_ts) - epoch(start_ts)) AS planned_stop_s
  FROM part WHERE planned GROUP BY ALL
),
count_cell AS (
  SELECT c.machine_id, sh.shift_id, sum(c.total_count) AS total,
         sum(c.total_count - c.reject_count) AS good,
         sum(r.ideal_cycle_time_s * c.total_count) AS ideal_s,
         sum(r.ideal_cycle_time_s * (c.total_count - c.reject_count)) AS ideal_good_s
  FROM production_counts c
  JOIN machine_plant mp USING (machine_id)
  JOIN routings r USING (machine_id, product_id)
  JOIN shift sh ON sh.plant_id = mp.plant_id AND c.interval_start >= sh.start_ts AND c.interval_start < sh.end_ts
  GROUP BY ALL
)
SELECT mp.machine_id, sh.shift_id,
       epoch(sh.end_ts) - epoch(sh.start_ts) AS shift_s,
       coalesce(p.planned_stop_s, 0) AS planned_stop_s,
       epoch(sh.end_ts) - epoch(sh.start_ts) - coalesce(p.planned_stop_s, 0) AS ppt_s,
       coalesce(s.stop_s, 0) AS stop_s,
       coalesce(s.breakdown_s, 0) AS breakdown_s,
       coalesce(s.setup_s, 0) AS setup_s,
       coalesce(s.other_stop_s, 0) AS other_stop_s,
       coalesce(s.small_stop_s, 0) AS small_stop_s,
       epoch(sh.end_ts) - epoch(sh.start_ts) - coalesce(p.planned_stop_s, 0) - coalesce(s.stop_s, 0) AS run_s,
       coalesce(c.total, 0) AS total,
       coalesce(c.good, 0) AS good,
       coalesce(c.ideal_s, 0) AS ideal_s,
       coalesce(c.ideal_good_s, 0) AS ideal_good_s
FROM machine_plant mp
JOIN shift sh USING (plant_id)
LEFT JOIN planned_cell p ON p.machine_id = mp.machine_id AND p.shift_id = sh.shift_id
LEFT JOIN stop_cell s ON s.machine_id = mp.machine_id AND s.shift_id = sh.shift_id
LEFT JOIN count_cell c ON c.machine_id = mp.machine_id AND c.shift_id = sh.shift_id
