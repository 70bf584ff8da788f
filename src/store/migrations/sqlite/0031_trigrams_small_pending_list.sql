-- PostgreSQL's 0031 tunes its GIN index of job names; SQLite searches names
-- through an FTS5 table (0017) and needs nothing.
SELECT 1;
