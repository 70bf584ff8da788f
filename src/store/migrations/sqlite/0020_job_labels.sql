-- Job labels (issue #18). The job row keeps its labels as a JSON object,
-- which every read of a job returns; job_labels holds them one row per
-- label for GET /jobs?label=... to select by. Triggers keep job_labels in
-- step with the column in the same statement, so creates, patches and bulk
-- writes cannot forget it, and a write that leaves the labels as they were
-- (a firing, a pause) writes no label row: label pages cost WAL only when
-- labels change (docs/decisions/0006).
ALTER TABLE jobs ADD COLUMN labels TEXT NOT NULL DEFAULT '{}';
-- By job (the key): a job's labels, the check of one label of one job, and
-- the delete cascade. job_labels_by_value (key, value, then job_id as the
-- key's last column): the jobs with a label of a value, in id order, and
-- those with the label at all.
CREATE TABLE IF NOT EXISTS job_labels (
  job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  key    TEXT    NOT NULL,
  value  TEXT    NOT NULL,
  PRIMARY KEY (job_id, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS job_labels_by_value ON job_labels (key, value);
CREATE TRIGGER IF NOT EXISTS job_labels_insert AFTER INSERT ON jobs WHEN new.labels <> '{}' BEGIN
  INSERT INTO job_labels (job_id, key, value) SELECT new.id, key, value FROM json_each(new.labels);
END;
CREATE TRIGGER IF NOT EXISTS job_labels_update AFTER UPDATE OF labels ON jobs WHEN old.labels IS NOT new.labels BEGIN
  DELETE FROM job_labels WHERE job_id = old.id;
  INSERT INTO job_labels (job_id, key, value) SELECT new.id, key, value FROM json_each(new.labels);
END;
