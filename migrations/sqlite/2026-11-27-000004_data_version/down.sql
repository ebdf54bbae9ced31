ALTER TABLE organisations DROP COLUMN data_version;
