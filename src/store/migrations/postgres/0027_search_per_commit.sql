-- SQLite's 0027 moves new jobs into its FTS5 name index once per
-- transaction; PostgreSQL's trigram index (0017) needs nothing.
SELECT 1;
