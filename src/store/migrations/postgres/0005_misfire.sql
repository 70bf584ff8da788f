-- What happens to occurrences missed while the service was down or behind.
ALTER TABLE jobs ADD COLUMN misfire text NOT NULL DEFAULT 'run_once'
  CHECK (misfire IN ('run_once', 'skip', 'run_all'));
ALTER TABLE jobs ADD COLUMN catchup_window_ms bigint NOT NULL DEFAULT 3600000;
