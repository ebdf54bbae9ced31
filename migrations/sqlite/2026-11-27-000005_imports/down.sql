DROP TABLE idempotency_keys;
ALTER TABLE milestones DROP COLUMN import_id;
ALTER TABLE observations DROP COLUMN import_id;
ALTER TABLE projects DROP COLUMN import_id;
ALTER TABLE surveys DROP COLUMN import_id;
ALTER TABLE activities DROP COLUMN import_id;
ALTER TABLE members DROP COLUMN import_id;
DROP TABLE imports;
