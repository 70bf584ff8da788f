-- PostgreSQL's 0029 makes its run roll-up functions cheaper; SQLite's
-- roll-ups are triggers of 0021 and need nothing.
SELECT 1;
