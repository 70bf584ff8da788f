-- 0026's roll-ups cost every statement that writes runs about a millisecond
-- of PostgreSQL's CPU, whatever it wrote (issue #19: in bench/cluster.sh's
-- steady mode, 1,000 runs a second, a third of PostgreSQL's time went
-- there). Both triggers call run_stats_add for every statement, also when no
-- run ended (firings insert queued runs; claims and lease renewals end
-- none), and it was a LANGUAGE sql function of three statements, which
-- PostgreSQL parses and plans again at every call. Now run_stats_add returns
-- at once when no run ended, so the triggers, which call it, need no change;
-- the counting, 0026's statements unchanged, is run_stats_count's, in
-- PL/pgSQL, which parses them once per connection. They are still planned
-- at every call, for the runs table as it is then: a plan kept from a
-- node's first statements, when runs held a few rows, reads runs whole
-- where an index finds the few rows asked for, and kept that plan as the
-- table grew (3.6 ms a call at 20,000 runs).
CREATE OR REPLACE FUNCTION run_stats_count(ended bigint[]) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan AS $$
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

CREATE OR REPLACE FUNCTION run_stats_add(ended bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(ended) > 0 THEN
    PERFORM run_stats_count(ended);
  END IF;
END
$$;
