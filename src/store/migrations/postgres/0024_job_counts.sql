-- GET /stats's active and paused jobs without a scan of `jobs` (decision
-- 0013): counts per namespace kept by a trigger on jobs, in the transaction
-- of every change that creates, deletes, pauses, resumes or moves a job. A
-- fire (next_run, last_run) changes neither column and writes nothing here.
-- Concurrent writers add to different rows (`shard`, from the backend's
-- pid) so that creating jobs in one namespace does not queue on one row's
-- lock; a read sums the shards.
CREATE TABLE IF NOT EXISTS job_counts (
  namespace text   NOT NULL,
  shard     int    NOT NULL,
  active    bigint NOT NULL,
  paused    bigint NOT NULL,
  PRIMARY KEY (namespace, shard)
);

CREATE OR REPLACE FUNCTION job_counts_add(ns text, active_delta int, paused_delta int) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO job_counts (namespace, shard, active, paused) VALUES (ns, pg_backend_pid() % 8, active_delta, paused_delta)
  ON CONFLICT (namespace, shard) DO UPDATE SET active = job_counts.active + excluded.active,
    paused = job_counts.paused + excluded.paused
$$;

CREATE OR REPLACE FUNCTION job_counts_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM job_counts_add(OLD.namespace, -OLD.is_active::int, OLD.is_active::int - 1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM job_counts_add(NEW.namespace, NEW.is_active::int, 1 - NEW.is_active::int);
  END IF;
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS job_counts_create_delete ON jobs;
CREATE TRIGGER job_counts_create_delete AFTER INSERT OR DELETE ON jobs FOR EACH ROW EXECUTE FUNCTION job_counts_count();
DROP TRIGGER IF EXISTS job_counts_update ON jobs;
CREATE TRIGGER job_counts_update AFTER UPDATE OF is_active, namespace ON jobs FOR EACH ROW
WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active OR OLD.namespace IS DISTINCT FROM NEW.namespace)
EXECUTE FUNCTION job_counts_count();

-- The jobs there are (once, for a database that has these already).
INSERT INTO job_counts (namespace, shard, active, paused)
SELECT namespace, 0, count(*) FILTER (WHERE is_active), count(*) FILTER (WHERE NOT is_active) FROM jobs
WHERE NOT EXISTS (SELECT 1 FROM job_counts) GROUP BY namespace;
