-- Organisations (tenants), their action plans, and the audit trail of every write.
CREATE TABLE organisations (
    id          BIGSERIAL PRIMARY KEY,
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    org_number  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT organisations_slug_key UNIQUE (slug),
    CONSTRAINT organisations_org_number_key UNIQUE (org_number)
);

CREATE TABLE plans (
    id            BIGSERIAL PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    title         TEXT NOT NULL,
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'adopted', 'archived')),
    adopted_on    DATE,
    adopted_by    TEXT,
    published     BOOLEAN NOT NULL DEFAULT FALSE,
    intro         TEXT,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    CHECK (period_start <= period_end)
);
CREATE INDEX plans_org_id_id ON plans (org_id, id);

CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   BIGINT NOT NULL,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_org_id_id ON audit_log (org_id, id);
