-- Alerts (issue #18, docs/decisions/0011-alerts.md).
-- jobs.alerts: the job's alert rule (codec/alert_rule_codec's JSON, secrets
-- included), NULL for none: its namespace's default applies.
ALTER TABLE jobs ADD COLUMN alerts TEXT;
-- The default rule of a namespace, for its jobs without one of their own.
CREATE TABLE IF NOT EXISTS namespace_alert_rules (
  namespace  TEXT    PRIMARY KEY,
  rule       TEXT    NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
-- What core::AlertState keeps per job, written in the transaction of each
-- outcome or check. silent_at (core::SilentAt, NULL when the rule does not
-- watch for silence or it was alerted) lets the silence check read a range.
CREATE TABLE IF NOT EXISTS job_alert_state (
  job_id               INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  failure_alerted      INTEGER NOT NULL DEFAULT 0,
  last_raised_at       INTEGER,
  last_success_at      INTEGER,
  silence_alerted_at   INTEGER,
  watched_since        INTEGER NOT NULL,
  silent_at            INTEGER
);
CREATE INDEX IF NOT EXISTS job_alert_state_silent_at ON job_alert_state (silent_at) WHERE silent_at IS NOT NULL;
-- One row per alert and channel: what the message says (kept as raised, so
-- a later edit of the job or its rule does not change an alert already
-- raised), the channel (its JSON with secrets, as the rule had it), and its
-- delivery. No foreign key to jobs: an alert outlives its job's deletion
-- until it is sent.
CREATE TABLE IF NOT EXISTS alerts (
  id                   INTEGER PRIMARY KEY,
  job_id               INTEGER NOT NULL,
  namespace            TEXT    NOT NULL,
  job_name             TEXT    NOT NULL,
  event                TEXT    NOT NULL,
  raised_at            INTEGER NOT NULL,
  run_id               INTEGER,
  run_state            TEXT,
  scheduled_for        INTEGER,
  error                TEXT    NOT NULL DEFAULT '',
  lateness_ms          INTEGER,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  silent_for_ms        INTEGER,
  channel_index        INTEGER NOT NULL,
  channel              TEXT    NOT NULL,
  state                TEXT    NOT NULL DEFAULT 'pending'
                       CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
  attempts             INTEGER NOT NULL DEFAULT 0,
  next_attempt_at      INTEGER NOT NULL,
  lease_owner          TEXT,
  lease_expires_at     INTEGER,
  last_error           TEXT    NOT NULL DEFAULT '',
  sent_at              INTEGER
);
-- The sender's claim: alerts not yet delivered, by when they are due.
CREATE INDEX IF NOT EXISTS alerts_undelivered ON alerts (next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX IF NOT EXISTS alerts_by_job ON alerts (job_id, id);
-- A run is late once: the check may look at it again.
CREATE UNIQUE INDEX IF NOT EXISTS alerts_late_once ON alerts (run_id, channel_index) WHERE event = 'late';
-- The silence check's look for jobs with a rule of their own not watched yet.
CREATE INDEX IF NOT EXISTS jobs_with_alerts ON jobs (id) WHERE alerts IS NOT NULL;
