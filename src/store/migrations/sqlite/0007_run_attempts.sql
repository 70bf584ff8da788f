-- Earlier attempts of a run that was tried again: a retried failure, or a run
-- whose node died (its lease expired) and was queued again. The run row
-- itself holds the latest attempt.
CREATE TABLE run_attempts (
  run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  attempt     INTEGER NOT NULL,
  state       TEXT    NOT NULL,
  started_at  INTEGER,
  finished_at INTEGER,
  error       TEXT,
  PRIMARY KEY (run_id, attempt)
) WITHOUT ROWID;
