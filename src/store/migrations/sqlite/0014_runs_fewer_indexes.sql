-- The WAL takes a whole page for every index page a commit changes, and
-- indexes that lead with job_id change a different page for nearly every
-- run (issue #13: 47 KB of WAL per run at 1,000 runs/s).
--
-- runs_finished_by_job took a page per finished run and another per pruned
-- one. Retention per job now reads runs_by_job with runs_unfinished_by_job
-- (sqlite_retention.cpp), which every run is in anyway.
DROP INDEX runs_finished_by_job;
-- The occurrence key is the same pair in the other order: a new run's
-- scheduled_for is about now, so it lands at the end of the index, on the
-- page the previous run changed, instead of inside its job's range.
-- ON CONFLICT (job_id, scheduled_for) names the same unique index.
DROP INDEX runs_occurrence;
CREATE UNIQUE INDEX runs_occurrence ON runs (scheduled_for, job_id) WHERE trigger = 'schedule';
-- Every index ends with the rowid (the id), so (job_id) orders a job's runs
-- by id as (job_id, id) did, with entries a quarter smaller: fewer pages to
-- rewrite. The queries that want only unfinished runs name their index
-- (INDEXED BY runs_unfinished_by_job): SQLite would otherwise take this one
-- and read the job's whole history.
DROP INDEX runs_by_job;
CREATE INDEX runs_by_job ON runs (job_id);
