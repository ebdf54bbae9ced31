-- API keys: an organisation's keys for scripts and dashboards. Only the SHA-256 digest of
-- a key is stored (hex), never the key; `prefix` is what lists show (`vk_abc1…`). A key is
-- valid while `revoked_at` is null and `expires_at` is ahead; rolling a key moves the old
-- one's `expires_at` to the end of its grace period.
CREATE TABLE api_keys (
    id            BIGSERIAL PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    digest        TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    last_used_at  TIMESTAMP,
    revoked_at    TIMESTAMP,
    rolled_from   BIGINT REFERENCES api_keys (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX api_keys_digest ON api_keys (digest);
CREATE INDEX api_keys_org_id_id ON api_keys (org_id, id);
