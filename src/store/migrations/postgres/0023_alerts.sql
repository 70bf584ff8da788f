-- Alerts (issue #18, docs/decisions/0011-alerts.md).
-- jobs.alerts: the job's alert rule (codec/alert_rule_codec's JSON, secrets
-- included), NULL for none: its namespace's default applies.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS alerts text;
-- The default rule of a namespace, for its jobs without one of their own.
CREATE TABLE IF NOT EXISTS namespace_alert_rules (
  namespace  text    PRIMARY KEY,
  rule       text    NOT NULL,
  updated_at bigint NOT NULL
);
-- What core::AlertState keeps per job, written in the transaction of each
-- outcome or check. silent_at (core::SilentAt, NULL when the rule does not
-- watch for silence or it was alerted) lets the silence check read a range.
CREATE TABLE IF NOT EXISTS job_alert_state (
  job_id               bigint PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  consecutive_failures bigint NOT NULL DEFAULT 0,
  failure_alerted      bigint NOT NULL DEFAULT 0,
  last_raised_at       bigint,
  last_success_at      bigint,
  silence_alerted_at   bigint,
  watched_since        bigint NOT NULL,
  silent_at            bigint
);
CREATE INDEX IF NOT EXISTS job_alert_state_silent_at ON job_alert_state (silent_at) WHERE silent_at IS NOT NULL;
-- One row per alert and channel: what the message says (kept as raised, so
-- a later edit of the job or its rule does not change an alert already
-- raised), the channel (its JSON with secrets, as the rule had it), and its
-- delivery. No foreign key to jobs: an alert outlives its job's deletion
-- until it is sent.
CREATE TABLE IF NOT EXISTS alerts (
  id                   bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id               bigint NOT NULL,
  namespace            text    NOT NULL,
  job_name             text    NOT NULL,
  event                text    NOT NULL,
  raised_at            bigint NOT NULL,
  run_id               bigint,
  run_state            text,
  scheduled_for        bigint,
  error                text    NOT NULL DEFAULT '',
  lateness_ms          bigint,
  consecutive_failures bigint NOT NULL DEFAULT 0,
  silent_for_ms        bigint,
  channel_index        bigint NOT NULL,
  channel              text    NOT NULL,
  state                text    NOT NULL DEFAULT 'pending'
                       CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
  attempts             bigint NOT NULL DEFAULT 0,
  next_attempt_at      bigint NOT NULL,
  lease_owner          text,
  lease_expires_at     bigint,
  last_error           text    NOT NULL DEFAULT '',
  sent_at              bigint
);
-- The sender's claim: alerts not yet delivered, by when they are due.
CREATE INDEX IF NOT EXISTS alerts_undelivered ON alerts (next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX IF NOT EXISTS alerts_by_job ON alerts (job_id, id);
-- A run is late once: the check may look at it again.
CREATE UNIQUE INDEX IF NOT EXISTS alerts_late_once ON alerts (run_id, channel_index) WHERE event = 'late';
-- The silence check's look for jobs with a rule of their own not watched yet.
CREATE INDEX IF NOT EXISTS jobs_with_alerts ON jobs (id) WHERE alerts IS NOT NULL;
