-- Nothing to do on SQLite: its FTS5 index (0004) already folds names as
-- name search folds them. On PostgreSQL this migration
-- (postgres/0016_search_fold.sql) gives names that same folding, FTS5's.
-- The file exists so both engines record the same migration names.
SELECT 1;
