-- GET /stats's active and paused jobs without a scan of `jobs` (decision
-- 0013): counts per namespace kept by triggers on jobs, in the transaction
-- of every change that creates, deletes, pauses, resumes or moves a job. A
-- fire (next_run, last_run) changes neither column and writes nothing here.
-- `shard` is always 0 here (one writer); PostgreSQL spreads concurrent
-- writers over several rows.
CREATE TABLE IF NOT EXISTS job_counts (
  namespace TEXT    NOT NULL,
  shard     INTEGER NOT NULL,
  active    INTEGER NOT NULL,
  paused    INTEGER NOT NULL,
  PRIMARY KEY (namespace, shard)
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS job_counts_insert AFTER INSERT ON jobs BEGIN
  INSERT INTO job_counts (namespace, shard, active, paused) VALUES (new.namespace, 0, new.is_active, 1 - new.is_active)
  ON CONFLICT (namespace, shard) DO UPDATE SET active = active + excluded.active, paused = paused + excluded.paused;
END;
CREATE TRIGGER IF NOT EXISTS job_counts_delete AFTER DELETE ON jobs BEGIN
  INSERT INTO job_counts (namespace, shard, active, paused) VALUES (old.namespace, 0, -old.is_active, old.is_active - 1)
  ON CONFLICT (namespace, shard) DO UPDATE SET active = active + excluded.active, paused = paused + excluded.paused;
END;
CREATE TRIGGER IF NOT EXISTS job_counts_update AFTER UPDATE OF is_active, namespace ON jobs
WHEN old.is_active IS NOT new.is_active OR old.namespace IS NOT new.namespace BEGIN
  INSERT INTO job_counts (namespace, shard, active, paused)
  VALUES (old.namespace, 0, -old.is_active, old.is_active - 1), (new.namespace, 0, new.is_active, 1 - new.is_active)
  ON CONFLICT (namespace, shard) DO UPDATE SET active = active + excluded.active, paused = paused + excluded.paused;
END;

-- The jobs there are (once: a test re-applies migrations to a database that
-- has these already, and they must count nothing twice).
INSERT INTO job_counts (namespace, shard, active, paused)
SELECT namespace, 0, sum(is_active), sum(1 - is_active) FROM jobs
WHERE NOT EXISTS (SELECT 1 FROM job_counts) GROUP BY namespace;
