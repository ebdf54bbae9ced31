-- Webhook endpoints: where an organisation wants its events sent, signed per the Standard
-- Webhooks specification. The signing secret must be usable to sign, so it is stored
-- sealed (encrypted with the instance's webhook key), never in the clear; during a
-- rotation the previous secret keeps signing beside the new one until
-- `previous_secret_until`.
--
-- Delivery state lives on the endpoint: every event of the organisation with
-- `seq <= delivered_through` is done for this endpoint (delivered, or not of a type it
-- wants). The event after it is the head; while the head fails, `attempts` counts its
-- failed tries, `next_attempt_at` says when to try again and `failing_since` when the
-- streak began. An instance that sends to an endpoint holds it by a lease
-- (`lease_owner`, `lease_until`), taken with FOR UPDATE SKIP LOCKED on PostgreSQL, so
-- two instances never send the same attempt.
CREATE TABLE webhook_endpoints (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id                 BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    url                    TEXT NOT NULL,
    description            TEXT NOT NULL,
    event_types            TEXT NOT NULL,
    enabled                BOOLEAN NOT NULL,
    disabled_reason        TEXT,
    secret_sealed          TEXT NOT NULL,
    previous_secret_sealed TEXT,
    previous_secret_until  TIMESTAMP,
    created_by             TEXT NOT NULL,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    version                INTEGER NOT NULL,
    delivered_through      BIGINT NOT NULL,
    attempts               INTEGER NOT NULL,
    next_attempt_at        TIMESTAMP,
    failing_since          TIMESTAMP,
    lease_owner            TEXT,
    lease_until            TIMESTAMP
);
CREATE INDEX webhook_endpoints_org_id_id ON webhook_endpoints (org_id, id);

-- Messages sent to one endpoint outside the event sequence: a ping, or a redelivery an
-- admin asked for. Sent before the endpoint's next event; `sent_at` is set once a
-- receiver acknowledged it (2xx) or it was given up.
CREATE TABLE webhook_messages (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id  BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id     TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    sent_at      TIMESTAMP
);
CREATE INDEX webhook_messages_endpoint_id ON webhook_messages (endpoint_id, id);

-- The delivery log: one row per attempt (an event, a ping or a redelivery sent to an
-- endpoint), with the answer's status or the error, the latency and the first KiB of the
-- answer's body. `event_seq` is null for a ping.
CREATE TABLE webhook_deliveries (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id       BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id          TEXT NOT NULL,
    event_seq         BIGINT,
    event_type        TEXT NOT NULL,
    attempted_at      TIMESTAMP NOT NULL,
    succeeded         BOOLEAN NOT NULL,
    status_code       INTEGER,
    error             TEXT,
    latency_ms        INTEGER NOT NULL,
    response_excerpt  TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_endpoint_id_id ON webhook_deliveries (endpoint_id, id);
