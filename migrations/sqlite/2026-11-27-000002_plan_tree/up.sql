-- The plan tree: strategies and goals, focus areas, KPI definitions, measures, budget
-- lines, goal check-ins, and the snapshots an adopted plan leaves when it is revised.
-- SQLite twin of migrations/postgres (see the first migration for the type mapping).
CREATE TABLE strategies (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        BIGINT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    title         TEXT NOT NULL,
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    vision        TEXT,
    mission       TEXT,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    CHECK (period_start <= period_end)
);
CREATE INDEX strategies_org_id_id ON strategies (org_id, id);

ALTER TABLE plans ADD COLUMN strategy_id BIGINT REFERENCES strategies (id) ON DELETE RESTRICT;
ALTER TABLE plans ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

CREATE TABLE goals (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       BIGINT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    strategy_id  BIGINT REFERENCES strategies (id) ON DELETE RESTRICT,
    plan_id      BIGINT REFERENCES plans (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT,
    measurable   BOOLEAN NOT NULL,
    position     INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    CHECK ((strategy_id IS NULL) <> (plan_id IS NULL))
);
CREATE INDEX goals_org_id_id ON goals (org_id, id);

CREATE TABLE check_ins (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      BIGINT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    goal_id     BIGINT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    checked_on  DATE NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('on_track', 'at_risk', 'off_track', 'achieved')),
    confidence  INTEGER NOT NULL CHECK (confidence BETWEEN 0 AND 10),
    comment     TEXT,
    author      TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX check_ins_goal_id ON check_ins (goal_id, id);

CREATE TABLE focus_areas (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       BIGINT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    plan_id      BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT,
    position     INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT focus_areas_number_key UNIQUE (plan_id, number)
);

CREATE TABLE budget_lines (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        BIGINT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    plan_id       BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    code          TEXT NOT NULL,
    title         TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    actual_spent  BIGINT,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT budget_lines_code_key UNIQUE (plan_id, code)
);

CREATE TABLE measures (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          BIGINT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    plan_id         BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    focus_area_id   BIGINT NOT NULL REFERENCES focus_areas (id) ON DELETE CASCADE,
    budget_line_id  BIGINT REFERENCES budget_lines (id) ON DELETE RESTRICT,
    number          INTEGER NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT,
    owner           TEXT,
    status          TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    due_on          DATE,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX measures_plan_id ON measures (plan_id, id);

CREATE TABLE kpis (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         BIGINT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    plan_id        BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    focus_area_id  BIGINT REFERENCES focus_areas (id) ON DELETE CASCADE,
    goal_id        BIGINT REFERENCES goals (id) ON DELETE RESTRICT,
    code           TEXT,
    title          TEXT NOT NULL,
    entity         TEXT NOT NULL,
    aggregate      TEXT NOT NULL,
    field          TEXT,
    filters        TEXT NOT NULL,
    direction      TEXT NOT NULL,
    target         REAL NOT NULL,
    baseline       REAL,
    tolerance      REAL NOT NULL,
    unit           TEXT,
    period_start   DATE,
    period_end     DATE,
    position       INTEGER NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX kpis_plan_id ON kpis (plan_id, id);

CREATE TABLE plan_revisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      BIGINT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    plan_id     BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    revision    INTEGER NOT NULL,
    adopted_on  DATE,
    adopted_by  TEXT,
    document    TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    CONSTRAINT plan_revisions_revision_key UNIQUE (plan_id, revision)
);
