-- GET /stats from roll-ups (docs/decisions/0013): counts of ended runs and
-- histograms of start lateness per namespace, in epoch-aligned buckets of
-- the three widths of core::SpanOf (1 minute, 15 minutes, 2 hours), kept by
-- triggers on runs, so every path that starts or ends a run counts it in
-- the same transaction. Each run counts twice: in its job's namespace and
-- in namespace '' (every namespace; no namespace is empty), so that a read
-- of all of them reads one namespace's rows. `shard` is always 0 here (one
-- writer); PostgreSQL spreads concurrent writers over several.
CREATE TABLE IF NOT EXISTS run_stats (
  width     INTEGER NOT NULL,
  bucket    INTEGER NOT NULL,
  namespace TEXT    NOT NULL,
  shard     INTEGER NOT NULL,
  succeeded INTEGER NOT NULL DEFAULT 0,
  failed    INTEGER NOT NULL DEFAULT 0,
  timed_out INTEGER NOT NULL DEFAULT 0,
  skipped   INTEGER NOT NULL DEFAULT 0,
  cancelled INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (width, namespace, bucket, shard)
) WITHOUT ROWID;
-- value: the lateness (started_at - scheduled_for, ms) rounded down to two
-- significant digits (exact below 100 ms; 1234 -> 1200, -1234 -> -1200).
-- A run counts once, at its latest start: a retry that clears started_at
-- takes its previous start out again.
CREATE TABLE IF NOT EXISTS run_lateness (
  width     INTEGER NOT NULL,
  bucket    INTEGER NOT NULL,
  namespace TEXT    NOT NULL,
  shard     INTEGER NOT NULL,
  value     INTEGER NOT NULL,
  count     INTEGER NOT NULL,
  PRIMARY KEY (width, namespace, bucket, shard, value)
) WITHOUT ROWID;
-- The widths, as rows to join with.
CREATE TABLE IF NOT EXISTS run_rollup_widths (width INTEGER PRIMARY KEY);
INSERT OR IGNORE INTO run_rollup_widths (width) VALUES (60000), (900000), (7200000);

-- The jobs whose newest ended run (by id) failed or timed out: GET /stats's
-- `failing` counts the active ones without reading each job's runs. A row
-- changes only when a job's outcome flips, so it costs no write otherwise.
CREATE TABLE IF NOT EXISTS failing_jobs (job_id INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE);

-- A run that ends (or is written ended, as a skipped occurrence is).
CREATE TRIGGER IF NOT EXISTS run_stats_insert AFTER INSERT ON runs
WHEN new.finished_at IS NOT NULL AND new.state IN ('succeeded', 'failed', 'timed_out', 'skipped', 'cancelled') BEGIN
  INSERT INTO run_stats (width, bucket, namespace, shard, succeeded, failed, timed_out, skipped, cancelled)
  SELECT w.width, new.finished_at - new.finished_at % w.width, j.namespace, 0, new.state = 'succeeded',
         new.state = 'failed', new.state = 'timed_out', new.state = 'skipped', new.state = 'cancelled'
  FROM run_rollup_widths w JOIN (SELECT namespace FROM jobs WHERE id = new.job_id UNION ALL SELECT '') j WHERE true
  ON CONFLICT (width, bucket, namespace, shard) DO UPDATE SET succeeded = succeeded + excluded.succeeded,
    failed = failed + excluded.failed, timed_out = timed_out + excluded.timed_out,
    skipped = skipped + excluded.skipped, cancelled = cancelled + excluded.cancelled;
  INSERT OR IGNORE INTO failing_jobs (job_id) SELECT new.job_id WHERE new.state IN ('failed', 'timed_out')
    AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.job_id = new.job_id AND r.id > new.id AND r.state <> 'queued'
                    AND r.state <> 'running');
  DELETE FROM failing_jobs WHERE job_id = new.job_id AND new.state NOT IN ('failed', 'timed_out')
    AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.job_id = new.job_id AND r.id > new.id AND r.state <> 'queued'
                    AND r.state <> 'running');
END;
CREATE TRIGGER IF NOT EXISTS run_stats_end AFTER UPDATE OF state ON runs
WHEN new.finished_at IS NOT NULL AND new.state IN ('succeeded', 'failed', 'timed_out', 'skipped', 'cancelled')
  AND old.state NOT IN ('succeeded', 'failed', 'timed_out', 'skipped', 'cancelled') BEGIN
  INSERT INTO run_stats (width, bucket, namespace, shard, succeeded, failed, timed_out, skipped, cancelled)
  SELECT w.width, new.finished_at - new.finished_at % w.width, j.namespace, 0, new.state = 'succeeded',
         new.state = 'failed', new.state = 'timed_out', new.state = 'skipped', new.state = 'cancelled'
  FROM run_rollup_widths w JOIN (SELECT namespace FROM jobs WHERE id = new.job_id UNION ALL SELECT '') j WHERE true
  ON CONFLICT (width, bucket, namespace, shard) DO UPDATE SET succeeded = succeeded + excluded.succeeded,
    failed = failed + excluded.failed, timed_out = timed_out + excluded.timed_out,
    skipped = skipped + excluded.skipped, cancelled = cancelled + excluded.cancelled;
  INSERT OR IGNORE INTO failing_jobs (job_id) SELECT new.job_id WHERE new.state IN ('failed', 'timed_out')
    AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.job_id = new.job_id AND r.id > new.id AND r.state <> 'queued'
                    AND r.state <> 'running');
  DELETE FROM failing_jobs WHERE job_id = new.job_id AND new.state NOT IN ('failed', 'timed_out')
    AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.job_id = new.job_id AND r.id > new.id AND r.state <> 'queued'
                    AND r.state <> 'running');
END;

-- A run that starts: +1 at its lateness. The rounding: x - x % 10^(digits - 2),
-- the power of ten cut from a string of them.
CREATE TRIGGER IF NOT EXISTS run_lateness_insert AFTER INSERT ON runs WHEN new.started_at IS NOT NULL BEGIN
  INSERT INTO run_lateness (width, bucket, namespace, shard, value, count)
  SELECT w.width, new.started_at - new.started_at % w.width, j.namespace, 0,
         l.x - l.x % CAST(substr('1000000000000000000', 1, max(length(abs(l.x)) - 1, 1)) AS INTEGER), 1
  FROM run_rollup_widths w JOIN (SELECT namespace FROM jobs WHERE id = new.job_id UNION ALL SELECT '') j
  JOIN (SELECT new.started_at - new.scheduled_for AS x) l WHERE true
  ON CONFLICT (width, bucket, namespace, shard, value) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER IF NOT EXISTS run_lateness_start AFTER UPDATE OF started_at ON runs
WHEN new.started_at IS NOT NULL AND old.started_at IS NOT new.started_at BEGIN
  INSERT INTO run_lateness (width, bucket, namespace, shard, value, count)
  SELECT w.width, new.started_at - new.started_at % w.width, j.namespace, 0,
         l.x - l.x % CAST(substr('1000000000000000000', 1, max(length(abs(l.x)) - 1, 1)) AS INTEGER), 1
  FROM run_rollup_widths w JOIN (SELECT namespace FROM jobs WHERE id = new.job_id UNION ALL SELECT '') j
  JOIN (SELECT new.started_at - new.scheduled_for AS x) l WHERE true
  ON CONFLICT (width, bucket, namespace, shard, value) DO UPDATE SET count = count + 1;
END;
-- A retry, a re-queue of an abandoned run or a hand-back clears started_at:
-- the attempt's start no longer counts (the next one will).
CREATE TRIGGER IF NOT EXISTS run_lateness_unstart AFTER UPDATE OF started_at ON runs
WHEN old.started_at IS NOT NULL AND old.started_at IS NOT new.started_at BEGIN
  INSERT INTO run_lateness (width, bucket, namespace, shard, value, count)
  SELECT w.width, old.started_at - old.started_at % w.width, j.namespace, 0,
         l.x - l.x % CAST(substr('1000000000000000000', 1, max(length(abs(l.x)) - 1, 1)) AS INTEGER), -1
  FROM run_rollup_widths w JOIN (SELECT namespace FROM jobs WHERE id = old.job_id UNION ALL SELECT '') j
  JOIN (SELECT old.started_at - old.scheduled_for AS x) l WHERE true
  ON CONFLICT (width, bucket, namespace, shard, value) DO UPDATE SET count = count - 1;
END;

-- The runs of the last 8 days (before the newest end) as they are now, in
-- the 2-hour buckets; in the narrower ones only as far back as their window
-- reads (2 h, 25 h): most rows of a big history would be of 1-minute buckets
-- no window reads, and take most of the time. A big history takes a while
-- here all the same (docs/operations.md). (IF NOT EXISTS and the emptiness
-- checks: a test re-applies the migrations after 0014 to a database that has
-- these already, and they must count nothing twice.)
INSERT INTO run_stats (width, bucket, namespace, shard, succeeded, failed, timed_out, skipped, cancelled)
SELECT w.width, r.finished_at - r.finished_at % w.width AS b, CASE e.every WHEN 1 THEN '' ELSE j.namespace END AS ns,
       0, sum(r.state = 'succeeded'), sum(r.state = 'failed'), sum(r.state = 'timed_out'), sum(r.state = 'skipped'),
       sum(r.state = 'cancelled')
FROM runs r INDEXED BY runs_finished_at JOIN jobs j ON j.id = r.job_id JOIN run_rollup_widths w
JOIN (SELECT 0 AS every UNION ALL SELECT 1) e
WHERE r.finished_at >= (SELECT max(finished_at) FROM runs WHERE state <> 'queued' AND state <> 'running') - 691200000
  AND r.state <> 'queued' AND r.state <> 'running' AND NOT EXISTS (SELECT 1 FROM run_stats)
  AND r.finished_at >= (SELECT max(finished_at) FROM runs WHERE state <> 'queued' AND state <> 'running')
      - CASE w.width WHEN 60000 THEN 7200000 WHEN 900000 THEN 90000000 ELSE 691200000 END
GROUP BY w.width, ns, b;
INSERT INTO run_lateness (width, bucket, namespace, shard, value, count)
SELECT w.width, s.started_at - s.started_at % w.width AS b, CASE e.every WHEN 1 THEN '' ELSE s.namespace END AS ns, 0,
       s.x - s.x % CAST(substr('1000000000000000000', 1, max(length(abs(s.x)) - 1, 1)) AS INTEGER) AS v, count(*)
FROM (SELECT r.started_at, r.started_at - r.scheduled_for AS x, j.namespace
      FROM runs r INDEXED BY runs_finished_at JOIN jobs j ON j.id = r.job_id
      WHERE r.finished_at >= (SELECT max(finished_at) FROM runs WHERE state <> 'queued' AND state <> 'running') - 691200000
        AND r.state <> 'queued' AND r.state <> 'running' AND r.started_at IS NOT NULL
      UNION ALL
      SELECT r.started_at, r.started_at - r.scheduled_for, j.namespace
      FROM runs r INDEXED BY runs_running JOIN jobs j ON j.id = r.job_id
      WHERE r.state = 'running' AND r.started_at IS NOT NULL) s
JOIN run_rollup_widths w JOIN (SELECT 0 AS every UNION ALL SELECT 1) e
WHERE NOT EXISTS (SELECT 1 FROM run_lateness)
  AND s.started_at >= (SELECT max(finished_at) FROM runs WHERE state <> 'queued' AND state <> 'running')
      - CASE w.width WHEN 60000 THEN 7200000 WHEN 900000 THEN 90000000 ELSE 691200000 END
GROUP BY w.width, ns, b, v;
INSERT OR IGNORE INTO failing_jobs (job_id)
SELECT id FROM jobs WHERE NOT EXISTS (SELECT 1 FROM failing_jobs)
  AND (SELECT r.state FROM runs r WHERE r.job_id = jobs.id AND r.state <> 'queued' AND r.state <> 'running'
       ORDER BY r.id DESC LIMIT 1) IN ('failed', 'timed_out');
