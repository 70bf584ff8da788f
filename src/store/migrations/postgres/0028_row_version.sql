-- SQLite's 0028 adds jobs.row_version for its job cache's lists; PostgreSQL
-- keeps no job cache and needs nothing.
SELECT 1;
