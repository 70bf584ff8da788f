-- Per-job time limit for one attempt of its task.
ALTER TABLE jobs ADD COLUMN timeout_ms bigint NOT NULL DEFAULT 60000;

-- Runs whose lease may expire: what a live node checks to re-queue the runs
-- of a node that died.
CREATE INDEX runs_running ON runs (lease_expires_at) WHERE state = 'running';
