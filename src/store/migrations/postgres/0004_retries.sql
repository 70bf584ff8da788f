-- A job's retry policy, as JSON ('' means the default: no retries).
ALTER TABLE jobs ADD COLUMN retry text NOT NULL DEFAULT '';

-- A queued run is not claimed before this instant: a retry waits out its backoff.
ALTER TABLE runs ADD COLUMN available_at bigint;
