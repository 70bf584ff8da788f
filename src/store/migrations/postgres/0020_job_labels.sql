-- Job labels (issue #18). The job row keeps its labels as a JSON object
-- (text, as the other JSON columns), which every read of a job returns;
-- job_labels holds them one row per label for GET /jobs?label=... to select
-- by. A trigger keeps job_labels in step with the column in the same
-- statement, so creates, patches and bulk writes cannot forget it, and a
-- write that leaves the labels as they were writes no label row.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS labels text NOT NULL DEFAULT '{}';
-- By job (the key): a job's labels and the delete cascade.
-- job_labels_by_value: the jobs with a label of a value, or with the label.
CREATE TABLE IF NOT EXISTS job_labels (
  job_id bigint NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  key    text   NOT NULL,
  value  text   NOT NULL,
  PRIMARY KEY (job_id, key)
);
CREATE INDEX IF NOT EXISTS job_labels_by_value ON job_labels (key, value, job_id);
CREATE OR REPLACE FUNCTION job_labels_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM job_labels WHERE job_id = OLD.id;
  END IF;
  INSERT INTO job_labels (job_id, key, value) SELECT NEW.id, l.key, l.value FROM jsonb_each_text(NEW.labels::jsonb) l;
  RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS job_labels_insert ON jobs;
CREATE TRIGGER job_labels_insert AFTER INSERT ON jobs FOR EACH ROW WHEN (NEW.labels <> '{}')
  EXECUTE FUNCTION job_labels_sync();
DROP TRIGGER IF EXISTS job_labels_update ON jobs;
CREATE TRIGGER job_labels_update AFTER UPDATE OF labels ON jobs FOR EACH ROW
  WHEN (OLD.labels IS DISTINCT FROM NEW.labels) EXECUTE FUNCTION job_labels_sync();
