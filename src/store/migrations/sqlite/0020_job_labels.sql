-- Job labels (issue #18). The job row keeps its labels as a JSON object,
-- which every read of a job returns; job_labels holds them one row per
-- label for GET /jobs?label=... to select by. Triggers keep job_labels in
-- step with the column in the same statement, so creates, patches, bulk
-- writes and deletes cannot forget it, and a write that leaves the labels as
-- they were (a firing, a pause) writes no label row: label pages cost WAL
-- only when labels change (docs/decisions/0006).
ALTER TABLE jobs ADD COLUMN labels TEXT NOT NULL DEFAULT '{}';
-- Two b-trees. The key (key, job_id): the jobs that have a label, in id
-- order, and one job's label at once. job_labels_by_value (key, value, then
-- job_id from the key): the jobs with a label of one value, in id order.
-- No index starts with job_id: a job's rows are found by the keys of its
-- labels column, which the triggers read.
CREATE TABLE IF NOT EXISTS job_labels (
  key    TEXT    NOT NULL,
  job_id INTEGER NOT NULL,
  value  TEXT    NOT NULL,
  PRIMARY KEY (key, job_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS job_labels_by_value ON job_labels (key, value);
CREATE TRIGGER IF NOT EXISTS job_labels_insert AFTER INSERT ON jobs WHEN new.labels <> '{}' BEGIN
  INSERT INTO job_labels (key, job_id, value) SELECT key, new.id, value FROM json_each(new.labels);
END;
CREATE TRIGGER IF NOT EXISTS job_labels_update AFTER UPDATE OF labels ON jobs WHEN old.labels IS NOT new.labels BEGIN
  DELETE FROM job_labels WHERE job_id = old.id AND key IN (SELECT key FROM json_each(old.labels));
  INSERT INTO job_labels (key, job_id, value) SELECT key, new.id, value FROM json_each(new.labels);
END;
CREATE TRIGGER IF NOT EXISTS job_labels_delete AFTER DELETE ON jobs WHEN old.labels <> '{}' BEGIN
  DELETE FROM job_labels WHERE job_id = old.id AND key IN (SELECT key FROM json_each(old.labels));
END;
