-- 0026's roll-ups cost every statement that writes runs about a millisecond
-- of PostgreSQL's CPU, whatever it wrote (issue #19: in bench/cluster.sh's
-- steady mode, 1,000 runs a second, half of PostgreSQL's time went there):
-- - run_stats_add was a LANGUAGE sql function of three statements, which
--   PostgreSQL parses and plans again at every call;
-- - both triggers called it for every statement, also when no run had ended
--   (firings insert queued runs; claims and lease renewals end none).
-- Now it is PL/pgSQL, whose plans each connection keeps, and it is called
-- only with runs that ended. What it counts is unchanged.
CREATE OR REPLACE FUNCTION run_stats_add(ended bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
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
END
$$;

CREATE OR REPLACE FUNCTION run_rollups_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ended bigint[];
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
  ended := ARRAY(SELECT n.id FROM inserted_runs n WHERE n.finished_at IS NOT NULL
                   AND n.state IN ('succeeded', 'failed', 'timed_out', 'skipped', 'cancelled'));
  IF cardinality(ended) > 0 THEN
    PERFORM run_stats_add(ended);
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION run_rollups_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ended bigint[];
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
  ended := ARRAY(SELECT n.id FROM new_runs n JOIN old_runs o ON o.id = n.id
                   WHERE n.finished_at IS NOT NULL
                     AND n.state IN ('succeeded', 'failed', 'timed_out', 'skipped', 'cancelled')
                     AND o.state NOT IN ('succeeded', 'failed', 'timed_out', 'skipped', 'cancelled'));
  IF cardinality(ended) > 0 THEN
    PERFORM run_stats_add(ended);
  END IF;
  RETURN NULL;
END
$$;
