-- Complaints taken at the booth, waiting to reach the office's complaint desk. The complaint
-- (name, contact, description) is sealed with the booth's local key and deleted once the desk
-- has confirmed it; the ticket number and the delivery state stay for the status check.

CREATE TABLE complaints (
    id              TEXT PRIMARY KEY,            -- UUID v7, the idempotency key at the desk
    day             TEXT NOT NULL,               -- YYMMDD (WIB) the complaint was taken
    seq             INTEGER NOT NULL,            -- its number that day at this booth
    ticket_no       TEXT NOT NULL UNIQUE,        -- printed on the citizen's ticket
    sealed          BLOB,                        -- NULL once delivered
    delivered       INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,            -- unix ms
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER,
    UNIQUE (day, seq)
);
CREATE INDEX complaints_due ON complaints (delivered, next_attempt_at);
