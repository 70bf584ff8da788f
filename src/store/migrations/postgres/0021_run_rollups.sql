-- GET /stats from roll-ups (docs/decisions/0013): counts of ended runs and
-- histograms of start lateness per namespace, in epoch-aligned buckets of
-- the three widths of core::SpanOf (1 minute, 15 minutes, 2 hours), kept by
-- triggers on runs, so every path that starts or ends a run counts it in
-- the same transaction. Each run counts twice: in its job's namespace and
-- in namespace '' (every namespace; no namespace is empty), so that a read
-- of all of them reads one namespace's rows. Each connection adds to its own `shard` row
-- (pg_backend_pid() % 8), so concurrent transactions of several nodes do not
-- wait on one hot row; reads add the shards up.
CREATE TABLE IF NOT EXISTS run_stats (
  width     bigint NOT NULL,
  bucket    bigint NOT NULL,
  namespace text   NOT NULL,
  shard     int    NOT NULL,
  succeeded bigint NOT NULL DEFAULT 0,
  failed    bigint NOT NULL DEFAULT 0,
  timed_out bigint NOT NULL DEFAULT 0,
  skipped   bigint NOT NULL DEFAULT 0,
  cancelled bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (width, namespace, bucket, shard)
);
-- value: the lateness (started_at - scheduled_for, ms) rounded down to two
-- significant digits (exact below 100 ms; 1234 -> 1200, -1234 -> -1200).
-- A run counts once, at its latest start: a retry that clears started_at
-- takes its previous start out again.
CREATE TABLE IF NOT EXISTS run_lateness (
  width     bigint NOT NULL,
  bucket    bigint NOT NULL,
  namespace text   NOT NULL,
  shard     int    NOT NULL,
  value     bigint NOT NULL,
  count     bigint NOT NULL,
  PRIMARY KEY (width, namespace, bucket, shard, value)
);

-- The jobs whose newest ended run (by id) failed or timed out: GET /stats's
-- `failing` counts the active ones without reading each job's runs. A row
-- changes only when a job's outcome flips.
CREATE TABLE IF NOT EXISTS failing_jobs (job_id bigint PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE);

CREATE OR REPLACE FUNCTION run_lateness_value(lateness bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT lateness - lateness % power(10::numeric, greatest(length(abs(lateness)::text) - 2, 0))::bigint
$$;

CREATE OR REPLACE FUNCTION run_stats_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO run_stats (width, bucket, namespace, shard, succeeded, failed, timed_out, skipped, cancelled)
  SELECT w.width, NEW.finished_at - NEW.finished_at % w.width, j.namespace, pg_backend_pid() % 8,
         (NEW.state = 'succeeded')::int, (NEW.state = 'failed')::int, (NEW.state = 'timed_out')::int,
         (NEW.state = 'skipped')::int, (NEW.state = 'cancelled')::int
  FROM (SELECT namespace FROM jobs WHERE id = NEW.job_id UNION ALL SELECT '') j,
       (VALUES (60000::bigint), (900000::bigint), (7200000::bigint)) AS w (width)
  ON CONFLICT (width, bucket, namespace, shard) DO UPDATE SET succeeded = run_stats.succeeded + excluded.succeeded,
    failed = run_stats.failed + excluded.failed, timed_out = run_stats.timed_out + excluded.timed_out,
    skipped = run_stats.skipped + excluded.skipped, cancelled = run_stats.cancelled + excluded.cancelled;
  IF NOT EXISTS (SELECT 1 FROM runs r WHERE r.job_id = NEW.job_id AND r.id > NEW.id
                 AND r.state NOT IN ('queued', 'running')) THEN
    IF NEW.state IN ('failed', 'timed_out') THEN
      INSERT INTO failing_jobs (job_id) VALUES (NEW.job_id) ON CONFLICT DO NOTHING;
    ELSE
      DELETE FROM failing_jobs WHERE job_id = NEW.job_id;
    END IF;
  END IF;
  RETURN NULL;
END
$$;

-- Adds `delta` at the lateness of a start.
CREATE OR REPLACE FUNCTION run_lateness_add(job bigint, started bigint, scheduled bigint, delta int) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO run_lateness (width, bucket, namespace, shard, value, count)
  SELECT w.width, started - started % w.width, j.namespace, pg_backend_pid() % 8,
         run_lateness_value(started - scheduled), delta
  FROM (SELECT namespace FROM jobs WHERE id = job UNION ALL SELECT '') j,
       (VALUES (60000::bigint), (900000::bigint), (7200000::bigint)) AS w (width)
  ON CONFLICT (width, bucket, namespace, shard, value) DO UPDATE SET count = run_lateness.count + excluded.count
$$;

-- A start counts +1; a retry, a re-queue of an abandoned run or a hand-back
-- clears started_at, and the attempt's start no longer counts.
CREATE OR REPLACE FUNCTION run_lateness_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.started_at IS NOT NULL THEN
      PERFORM run_lateness_add(OLD.job_id, OLD.started_at, OLD.scheduled_for, -1);
    END IF;
  END IF;
  IF NEW.started_at IS NOT NULL THEN
    PERFORM run_lateness_add(NEW.job_id, NEW.started_at, NEW.scheduled_for, 1);
  END IF;
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS run_stats_insert ON runs;
CREATE TRIGGER run_stats_insert AFTER INSERT ON runs FOR EACH ROW
WHEN (NEW.finished_at IS NOT NULL AND NEW.state IN ('succeeded', 'failed', 'timed_out', 'skipped', 'cancelled'))
EXECUTE FUNCTION run_stats_count();
DROP TRIGGER IF EXISTS run_stats_end ON runs;
CREATE TRIGGER run_stats_end AFTER UPDATE OF state ON runs FOR EACH ROW
WHEN (NEW.finished_at IS NOT NULL AND NEW.state IN ('succeeded', 'failed', 'timed_out', 'skipped', 'cancelled')
  AND OLD.state NOT IN ('succeeded', 'failed', 'timed_out', 'skipped', 'cancelled'))
EXECUTE FUNCTION run_stats_count();
DROP TRIGGER IF EXISTS run_lateness_insert ON runs;
CREATE TRIGGER run_lateness_insert AFTER INSERT ON runs FOR EACH ROW
WHEN (NEW.started_at IS NOT NULL)
EXECUTE FUNCTION run_lateness_count();
DROP TRIGGER IF EXISTS run_lateness_start ON runs;
CREATE TRIGGER run_lateness_start AFTER UPDATE OF started_at ON runs FOR EACH ROW
WHEN (OLD.started_at IS DISTINCT FROM NEW.started_at)
EXECUTE FUNCTION run_lateness_count();

-- The runs of the last 8 days (before the newest end) as they are now, in
-- the 2-hour buckets; in the narrower ones only as far back as their window
-- reads (2 h, 25 h): most rows of a big history would be of 1-minute buckets
-- no window reads, and take most of the time. A big history takes a while
-- here all the same (docs/operations.md). (IF NOT EXISTS, OR REPLACE and the
-- emptiness checks: a test re-applies the migrations after 0014 to a
-- database that has these already, and they must count nothing twice.)
INSERT INTO run_stats (width, bucket, namespace, shard, succeeded, failed, timed_out, skipped, cancelled)
SELECT w.width, r.finished_at - r.finished_at % w.width AS b, CASE WHEN e.every THEN '' ELSE j.namespace END AS ns, 0,
       count(*) FILTER (WHERE r.state = 'succeeded'), count(*) FILTER (WHERE r.state = 'failed'),
       count(*) FILTER (WHERE r.state = 'timed_out'), count(*) FILTER (WHERE r.state = 'skipped'),
       count(*) FILTER (WHERE r.state = 'cancelled')
FROM runs r JOIN jobs j ON j.id = r.job_id,
     (VALUES (60000::bigint), (900000::bigint), (7200000::bigint)) AS w (width), (VALUES (false), (true)) AS e (every)
WHERE r.finished_at >= (SELECT max(finished_at) FROM runs WHERE state NOT IN ('queued', 'running')) - 691200000
  AND r.state NOT IN ('queued', 'running') AND NOT EXISTS (SELECT 1 FROM run_stats)
  AND r.finished_at >= (SELECT max(finished_at) FROM runs WHERE state NOT IN ('queued', 'running'))
      - CASE w.width WHEN 60000 THEN 7200000 WHEN 900000 THEN 90000000 ELSE 691200000 END
GROUP BY w.width, ns, b;
INSERT INTO run_lateness (width, bucket, namespace, shard, value, count)
SELECT w.width, s.started_at - s.started_at % w.width AS b, CASE WHEN e.every THEN '' ELSE s.namespace END AS ns, 0,
       run_lateness_value(s.lateness) AS v, count(*)
FROM (SELECT r.started_at, r.started_at - r.scheduled_for AS lateness, j.namespace
      FROM runs r JOIN jobs j ON j.id = r.job_id
      WHERE r.started_at IS NOT NULL AND ((r.state NOT IN ('queued', 'running') AND r.finished_at >=
          (SELECT max(finished_at) FROM runs WHERE state NOT IN ('queued', 'running')) - 691200000)
        OR r.state = 'running')) s,
     (VALUES (60000::bigint), (900000::bigint), (7200000::bigint)) AS w (width), (VALUES (false), (true)) AS e (every)
WHERE NOT EXISTS (SELECT 1 FROM run_lateness)
  AND s.started_at >= (SELECT max(finished_at) FROM runs WHERE state NOT IN ('queued', 'running'))
      - CASE w.width WHEN 60000 THEN 7200000 WHEN 900000 THEN 90000000 ELSE 691200000 END
GROUP BY w.width, ns, b, v;
INSERT INTO failing_jobs (job_id)
SELECT id FROM jobs WHERE NOT EXISTS (SELECT 1 FROM failing_jobs)
  AND (SELECT r.state FROM runs r WHERE r.job_id = jobs.id AND r.state NOT IN ('queued', 'running')
       ORDER BY r.id DESC LIMIT 1) IN ('failed', 'timed_out')
ON CONFLICT DO NOTHING;
