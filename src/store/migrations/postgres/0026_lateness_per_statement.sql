-- The lateness roll-up (0021) counted each start with a trigger per row: an
-- INSERT ... ON CONFLICT DO UPDATE of six rows (three widths, the job's
-- namespace and all) for every run. A claim starts about a hundred runs at
-- once, nearly all in the same minute and of like lateness, so those rows
-- were updated a hundred times each in one transaction, each update a new
-- row version to find past the last: about 100 us of PostgreSQL's time per
-- run, its largest cost in bench/cluster.sh's burst (pg_stat_statements).
-- Now one trigger per statement adds up what the statement changed
-- (transition tables) and writes each row once. What is counted is
-- unchanged: +1 at a start's lateness, -1 when a start is cleared or moved.
CREATE OR REPLACE FUNCTION run_lateness_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
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
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION run_lateness_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
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
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS run_lateness_insert ON runs;
DROP TRIGGER IF EXISTS run_lateness_start ON runs;
DROP TRIGGER IF EXISTS run_lateness_inserted ON runs;
CREATE TRIGGER run_lateness_inserted AFTER INSERT ON runs REFERENCING NEW TABLE AS inserted_runs
FOR EACH STATEMENT EXECUTE FUNCTION run_lateness_count_inserted();
DROP TRIGGER IF EXISTS run_lateness_updated ON runs;
CREATE TRIGGER run_lateness_updated AFTER UPDATE ON runs REFERENCING OLD TABLE AS old_runs NEW TABLE AS new_runs
FOR EACH STATEMENT EXECUTE FUNCTION run_lateness_count_updated();
