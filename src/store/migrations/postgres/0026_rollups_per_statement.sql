-- The roll-ups of 0021 counted each run with a trigger per row. The
-- lateness one made an INSERT ... ON CONFLICT DO UPDATE of six rows (three
-- widths, the job's namespace and all) for every run. A claim starts about a hundred runs at
-- once, nearly all in the same minute and of like lateness, so those rows
-- were updated a hundred times each in one transaction, each update a new
-- row version to find past the last: about 100 us of PostgreSQL's time per
-- run, its largest cost in bench/cluster.sh's burst (pg_stat_statements).
-- The counts of ended runs (run_stats, and failing_jobs) did the same for
-- every batch of finishes. Now one trigger per statement adds up what the
-- statement changed (transition tables) and writes each row once. What is
-- counted is unchanged: +1 at a start's lateness, -1 when a start is cleared
-- or moved; +1 in its state for a run that ends; a job failing while the
-- newest of its ended runs failed.
CREATE OR REPLACE FUNCTION run_rollups_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO run_lateness (width, bucket, namespace, shard, value, count)
  SELECT w.width, n.started_at - n.started_at % w.width, ns.namespace, pg_backend_pid() % 8,
         run_lateness_value(n.started_at - n.scheduled_for), count(*)
  FROM inserted_runs n
       CROSS JOIN LATERAL (SELECT namespace FROM jobs WHERE id = n.job_id UNION ALL SELECT '') ns
       CROSS JOIN (VALUES (60000::bigint), (900000::bigint), (7200000::bigint)) AS w (width)
  WHERE n.started_at IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5
  ON CONFLICT (width, bucket, namespace, shard, value) DO UPDATE SET count = run_lateness.count + excluded.count;
  PERFORM run_stats_add(ARRAY(SELECT n.id FROM inserted_runs n WHERE n.finished_at IS NOT NULL
                                AND n.state IN ('succeeded', 'failed', 'timed_out', 'skipped', 'cancelled')));
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION run_rollups_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO run_lateness (width, bucket, namespace, shard, value, count)
  SELECT w.width, c.started - c.started % w.width, ns.namespace, pg_backend_pid() % 8,
         run_lateness_value(c.started - c.scheduled), sum(c.delta)
  FROM (SELECT o.job_id, o.started_at AS started, o.scheduled_for AS scheduled, -1 AS delta
        FROM old_runs o JOIN new_runs n ON n.id = o.id
        WHERE o.started_at IS NOT NULL AND o.started_at IS DISTINCT FROM n.started_at
        UNION ALL
        SELECT n.job_id, n.started_at, n.scheduled_for, 1
        FROM old_runs o JOIN new_runs n ON n.id = o.id
        WHERE n.started_at IS NOT NULL AND o.started_at IS DISTINCT FROM n.started_at) c
       CROSS JOIN LATERAL (SELECT namespace FROM jobs WHERE id = c.job_id UNION ALL SELECT '') ns
       CROSS JOIN (VALUES (60000::bigint), (900000::bigint), (7200000::bigint)) AS w (width)
  GROUP BY 1, 2, 3, 4, 5
  ON CONFLICT (width, bucket, namespace, shard, value) DO UPDATE SET count = run_lateness.count + excluded.count;
  PERFORM run_stats_add(ARRAY(SELECT n.id FROM new_runs n JOIN old_runs o ON o.id = n.id
                              WHERE n.finished_at IS NOT NULL
                                AND n.state IN ('succeeded', 'failed', 'timed_out', 'skipped', 'cancelled')
                                AND o.state NOT IN ('succeeded', 'failed', 'timed_out', 'skipped', 'cancelled')));
  RETURN NULL;
END
$$;

-- The runs `ended` (ids) ended in the statement: counted in their state, in
-- the buckets of their end, for their job's namespace and for all; and each
-- job's newest of them, unless a newer run of the job has ended, says
-- whether the job is failing.
CREATE OR REPLACE FUNCTION run_stats_add(ended bigint[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO run_stats (width, bucket, namespace, shard, succeeded, failed, timed_out, skipped, cancelled)
  SELECT w.width, r.finished_at - r.finished_at % w.width, ns.namespace, pg_backend_pid() % 8,
         count(*) FILTER (WHERE r.state = 'succeeded'), count(*) FILTER (WHERE r.state = 'failed'),
         count(*) FILTER (WHERE r.state = 'timed_out'), count(*) FILTER (WHERE r.state = 'skipped'),
         count(*) FILTER (WHERE r.state = 'cancelled')
  FROM runs r
       CROSS JOIN LATERAL (SELECT namespace FROM jobs WHERE id = r.job_id UNION ALL SELECT '') ns
       CROSS JOIN (VALUES (60000::bigint), (900000::bigint), (7200000::bigint)) AS w (width)
  WHERE r.id = ANY (ended)
  GROUP BY 1, 2, 3, 4
  ON CONFLICT (width, bucket, namespace, shard) DO UPDATE SET succeeded = run_stats.succeeded + excluded.succeeded,
    failed = run_stats.failed + excluded.failed, timed_out = run_stats.timed_out + excluded.timed_out,
    skipped = run_stats.skipped + excluded.skipped, cancelled = run_stats.cancelled + excluded.cancelled;
  INSERT INTO failing_jobs (job_id)
  SELECT newest.job_id
  FROM (SELECT DISTINCT ON (job_id) job_id, id, state FROM runs WHERE id = ANY (ended) ORDER BY job_id, id DESC) newest
  WHERE newest.state IN ('failed', 'timed_out')
    AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.job_id = newest.job_id AND r.id > newest.id
                    AND r.state NOT IN ('queued', 'running'))
  ON CONFLICT DO NOTHING;
  DELETE FROM failing_jobs f
  USING (SELECT DISTINCT ON (job_id) job_id, id, state FROM runs WHERE id = ANY (ended) ORDER BY job_id, id DESC) newest
  WHERE f.job_id = newest.job_id AND newest.state NOT IN ('failed', 'timed_out')
    AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.job_id = newest.job_id AND r.id > newest.id
                    AND r.state NOT IN ('queued', 'running'));
$$;

-- One statement trigger per event for both roll-ups: the functions above.
DROP TRIGGER IF EXISTS run_stats_insert ON runs;
DROP TRIGGER IF EXISTS run_stats_end ON runs;
DROP TRIGGER IF EXISTS run_lateness_insert ON runs;
DROP TRIGGER IF EXISTS run_lateness_start ON runs;
DROP TRIGGER IF EXISTS run_rollups_inserted ON runs;
CREATE TRIGGER run_rollups_inserted AFTER INSERT ON runs REFERENCING NEW TABLE AS inserted_runs
FOR EACH STATEMENT EXECUTE FUNCTION run_rollups_inserted();
DROP TRIGGER IF EXISTS run_rollups_updated ON runs;
CREATE TRIGGER run_rollups_updated AFTER UPDATE ON runs REFERENCING OLD TABLE AS old_runs NEW TABLE AS new_runs
FOR EACH STATEMENT EXECUTE FUNCTION run_rollups_updated();
