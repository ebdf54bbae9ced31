ALTER TABLE organisations DROP COLUMN data_changed_at;
ALTER TABLE organisations DROP COLUMN embed_origins;
ALTER TABLE organisations DROP COLUMN website;
