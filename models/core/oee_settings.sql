/*
materialized: view
description: "The constants of CONTRACT §2-3 in one place, so every model reads the same value. small_stop_threshold_s: a merged unplanned stop shorter than this (whole merged duration) is a small stop and stays inside run time; failure_min_remaining_s: a breakdown counts as a failure only with at least this much left after the planned overlap is removed."
tags: [core, settings]
columns:
  small_stop_threshold_s: { description: "Seconds; contract default 300" }
  failure_min_remaining_s: { description: "Seconds; contract: 1" }
tests:
  - row_count: { min: 1, max: 1 }
*/
select
  300.0::double as small_stop_threshold_s,
  1.0::double as failure_min_remaining_s
