-- What the published web pages need of an organisation: its own web site, the origins
-- allowed to frame its embed widget (space-separated, as in a CSP source list; null: the
-- web site's origin), and when its data last changed (set with every data_version bump,
-- so a page can say how fresh it is from the one row it already reads).
ALTER TABLE organisations ADD COLUMN website TEXT;
ALTER TABLE organisations ADD COLUMN embed_origins TEXT;
-- SQLite adds a NOT NULL column only with a constant default; every insert sets it.
ALTER TABLE organisations ADD COLUMN data_changed_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
-- The last audited write is the last bump; an organisation without one was last changed
-- when it was.
UPDATE organisations SET data_changed_at = COALESCE(
    (SELECT at FROM audit_log WHERE audit_log.org_id = organisations.id ORDER BY id DESC LIMIT 1),
    updated_at
);
