-- Records: the facts KPIs are computed from. Every table carries org_id and the
-- provenance of its rows (who created and last changed each, when, its version), an
-- optional external_ref unique per organisation, and the index its date-range queries and
-- its list order need, leading with org_id. A milestone's listed_on is its achieved_on, or
-- its due_on while not achieved (the list order), kept by the store.
-- SQLite twin of migrations/postgres (see the first migration for the type mapping).

CREATE TABLE members (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         BIGINT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    org_number     TEXT NOT NULL,
    name           TEXT NOT NULL,
    municipality   TEXT NOT NULL,
    membership_type TEXT NOT NULL,
    joined_on      DATE NOT NULL,
    left_on        DATE,
    employees      BIGINT,
    external_ref   TEXT,
    created_by     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT members_external_ref_key UNIQUE (org_id, external_ref),
    CONSTRAINT members_org_number_key UNIQUE (org_id, org_number),
    CHECK (left_on IS NULL OR left_on >= joined_on)
);
CREATE INDEX members_org_id_joined_on ON members (org_id, joined_on, id);
CREATE INDEX members_org_id_left_on ON members (org_id, left_on);

CREATE TABLE activities (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         BIGINT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    kind           TEXT NOT NULL,
    title          TEXT NOT NULL,
    date           DATE NOT NULL,
    status         TEXT NOT NULL,
    participants   BIGINT,
    municipality   TEXT,
    measure_id     BIGINT REFERENCES measures (id) ON DELETE SET NULL,
    external_ref   TEXT,
    created_by     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT activities_external_ref_key UNIQUE (org_id, external_ref)
);
CREATE INDEX activities_org_id_date ON activities (org_id, date, id);

CREATE TABLE surveys (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         BIGINT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    audience       TEXT NOT NULL,
    title          TEXT NOT NULL,
    conducted_on   DATE NOT NULL,
    invited        BIGINT NOT NULL,
    responses      BIGINT NOT NULL,
    scale_min      REAL NOT NULL,
    scale_max      REAL NOT NULL,
    mean_score     REAL,
    nps            INTEGER,
    external_ref   TEXT,
    created_by     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT surveys_external_ref_key UNIQUE (org_id, external_ref),
    CHECK (responses <= invited)
);
CREATE INDEX surveys_org_id_conducted_on ON surveys (org_id, conducted_on, id);

CREATE TABLE projects (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         BIGINT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    title          TEXT NOT NULL,
    role           TEXT NOT NULL,
    start_on       DATE NOT NULL,
    end_on         DATE,
    funder         TEXT,
    funding_scheme TEXT,
    case_number    TEXT,
    external_funding REAL NOT NULL,
    status         TEXT NOT NULL,
    external_ref   TEXT,
    created_by     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT projects_external_ref_key UNIQUE (org_id, external_ref),
    CHECK (end_on IS NULL OR end_on >= start_on)
);
CREATE INDEX projects_org_id_start_on ON projects (org_id, start_on, id);
CREATE INDEX projects_org_id_end_on ON projects (org_id, end_on);

CREATE TABLE observations (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         BIGINT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    metric_key     TEXT NOT NULL,
    dimension      TEXT NOT NULL,
    observed_on    DATE NOT NULL,
    value          REAL NOT NULL,
    external_ref   TEXT,
    created_by     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT observations_external_ref_key UNIQUE (org_id, external_ref),
    CONSTRAINT observations_observed_on_key UNIQUE (org_id, metric_key, dimension, observed_on)
);
CREATE INDEX observations_org_id_observed_on ON observations (org_id, observed_on, id);

CREATE TABLE milestones (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         BIGINT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    kind           TEXT NOT NULL,
    title          TEXT NOT NULL,
    due_on         DATE,
    achieved_on    DATE,
    municipality   TEXT,
    measure_id     BIGINT REFERENCES measures (id) ON DELETE SET NULL,
    listed_on      DATE NOT NULL,
    external_ref   TEXT,
    created_by     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT milestones_external_ref_key UNIQUE (org_id, external_ref)
);
CREATE INDEX milestones_org_id_listed_on ON milestones (org_id, listed_on, id);
CREATE INDEX milestones_org_id_kind_achieved_on ON milestones (org_id, kind, achieved_on);
