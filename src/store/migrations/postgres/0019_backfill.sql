-- Backfill (issue #18): runs with trigger 'backfill' are occurrences of the
-- job's schedule run late on request. A backfill run and a scheduled run of
-- the same instant are the same occurrence, so the unique key covers both
-- triggers; manual runs stay outside it. Every ON CONFLICT that names the
-- index says the same predicate: trigger <> 'manual'.
ALTER TABLE runs DROP CONSTRAINT runs_trigger_check;
ALTER TABLE runs ADD CONSTRAINT runs_trigger_check CHECK (trigger IN ('schedule', 'manual', 'backfill'));
DROP INDEX runs_occurrence;
CREATE UNIQUE INDEX runs_occurrence ON runs (job_id, scheduled_for) WHERE trigger <> 'manual';
