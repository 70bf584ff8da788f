-- What happens to occurrences missed while the service was down or behind.
ALTER TABLE jobs ADD COLUMN misfire TEXT NOT NULL DEFAULT 'run_once'
  CHECK (misfire = 'run_once' OR misfire = 'skip' OR misfire = 'run_all');
ALTER TABLE jobs ADD COLUMN catchup_window_ms INTEGER NOT NULL DEFAULT 3600000;
