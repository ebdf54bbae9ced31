-- Counts every change to an organisation's data (one more per audited write, in the
-- write's own transaction), so a computed result such as a scorecard can tell with one
-- indexed read whether anything it was computed from has changed since.
ALTER TABLE organisations ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;
