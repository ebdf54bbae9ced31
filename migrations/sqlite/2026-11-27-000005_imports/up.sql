-- Imports: every import that wrote (who, when, what, from which body, with what result),
-- the import each record was last written by, and the Idempotency-Key answers.

CREATE TABLE imports (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         BIGINT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    kind           TEXT NOT NULL,
    format         TEXT NOT NULL,
    charset        TEXT NOT NULL,
    imported_by    TEXT NOT NULL,
    body_sha256    TEXT NOT NULL,
    body_bytes     BIGINT NOT NULL,
    row_count      BIGINT NOT NULL,
    created        BIGINT NOT NULL,
    updated        BIGINT NOT NULL,
    unchanged      BIGINT NOT NULL,
    started_at     TIMESTAMP NOT NULL,
    finished_at    TIMESTAMP NOT NULL
);
CREATE INDEX imports_org_id_id ON imports (org_id, id);

ALTER TABLE members ADD COLUMN import_id BIGINT REFERENCES imports (id) ON DELETE SET NULL;
ALTER TABLE activities ADD COLUMN import_id BIGINT REFERENCES imports (id) ON DELETE SET NULL;
ALTER TABLE surveys ADD COLUMN import_id BIGINT REFERENCES imports (id) ON DELETE SET NULL;
ALTER TABLE projects ADD COLUMN import_id BIGINT REFERENCES imports (id) ON DELETE SET NULL;
ALTER TABLE observations ADD COLUMN import_id BIGINT REFERENCES imports (id) ON DELETE SET NULL;
ALTER TABLE milestones ADD COLUMN import_id BIGINT REFERENCES imports (id) ON DELETE SET NULL;

-- One row per Idempotency-Key of an organisation: taken (answer still null) when its
-- first request starts, answered in that request's own transaction. A key is kept at
-- least 24 hours; its request_sha256 tells a repeat of the same request from another.
CREATE TABLE idempotency_keys (
    org_id          BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    key             TEXT NOT NULL,
    request_sha256  TEXT NOT NULL,
    status          INTEGER,
    location        TEXT,
    answer          TEXT,
    created_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
