-- Events: what changed in an organisation, written in the change's own transaction (an
-- outbox), read by the event feed oldest first. `seq` orders them: every event is
-- written after its change's audit entry, which locks the organisation's row until the
-- transaction ends, so within one organisation sequence numbers are taken in commit order
-- and a reader never meets a lower `seq` that commits after a higher one. (SQLite runs
-- one writer at a time, so there insertion order is commit order; AUTOINCREMENT never
-- hands out a pruned `seq` again.)
CREATE TABLE events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL,
    org_id       BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    event_type   TEXT NOT NULL,
    occurred_at  TIMESTAMP NOT NULL,
    data         TEXT NOT NULL
);
CREATE INDEX events_org_id_seq ON events (org_id, seq);

-- Where each organisation's feed starts now: the highest `seq` of its events that were
-- pruned (older than the retention). A cursor below it may have missed events: 410.
CREATE TABLE event_feeds (
    org_id          BIGINT PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    pruned_through  BIGINT NOT NULL
);
