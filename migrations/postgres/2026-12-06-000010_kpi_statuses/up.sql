-- The last status of every KPI of every adopted or published plan, as the KPI status
-- evaluator last computed it (at the date in `as_of`, with the scorecard's computation).
-- The evaluator compares each KPI's status today with the one kept here and writes a
-- `kpi.status_changed` event, with this row's update, in one transaction when they
-- differ. A KPI without a row is recorded silently the first time (adopting a plan tells
-- no status changes); a KPI whose plan is no longer adopted or published loses its row.
CREATE TABLE kpi_statuses (
    kpi_id      BIGINT PRIMARY KEY REFERENCES kpis (id) ON DELETE CASCADE,
    org_id      BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    plan_id     BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    status      TEXT NOT NULL,
    as_of       DATE NOT NULL,
    changed_at  TIMESTAMP NOT NULL
);
CREATE INDEX kpi_statuses_org_id ON kpi_statuses (org_id, kpi_id);
