-- Job names are unique within a namespace: (namespace, name) is a job's
-- identity for `jobsched apply` (docs/decisions/0009-job-identity.md).
-- Jobs that already share their name with an older job of their namespace
-- are kept as they are, not renamed (a job without a task does what its
-- name says, so a new name would change what it does): they are marked
-- duplicate_name, which leaves them out of the unique index, until they are
-- renamed (the store's UPDATE clears the mark on a new name).
ALTER TABLE jobs ADD COLUMN duplicate_name boolean NOT NULL DEFAULT false;
-- One sort of the table, not a lookup per job.
UPDATE jobs SET duplicate_name = true
WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY namespace, name ORDER BY id) AS position
                             FROM jobs) AS numbered
             WHERE position > 1);
CREATE UNIQUE INDEX jobs_name_in_namespace ON jobs (namespace, name) WHERE NOT duplicate_name;
