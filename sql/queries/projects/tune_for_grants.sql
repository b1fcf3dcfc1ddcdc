-- Settings for a large project's grants, in this transaction only: a million pairs need more memory for
-- hashing than the default 4 MB, and hash joins rather than the nested loops the planner's small estimates
-- of unnested arrays would choose (a million index probes).
-- No parameters. Returns nothing of use.
SELECT set_config('work_mem', '64MB', true), set_config('enable_nestloop', 'off', true);
