-- Earlier attempts of a run that was tried again: a retried failure, or a run
-- whose node died (its lease expired) and was queued again. The run row
-- itself holds the latest attempt.
CREATE TABLE run_attempts (
  run_id      bigint  NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  attempt     integer NOT NULL,
  state       text    NOT NULL,
  started_at  bigint,
  finished_at bigint,
  error       text,
  PRIMARY KEY (run_id, attempt)
);
