-- The complaint desk: one row per complaint with its stage and answer, and the audit chain of
-- everything anyone (or the desk itself) did to it.

CREATE TABLE complaints (
    id              TEXT PRIMARY KEY,         -- UUID v7 made where the complaint was written down
    ticket_no       TEXT NOT NULL UNIQUE,     -- 12 digits, see complaint::model::TicketNo
    day             TEXT NOT NULL,            -- YYMMDD (WIB), the ticket's date
    booth_number    INTEGER NOT NULL,         -- the ticket's booth number, 0 = the secretariat
    content         BLOB NOT NULL,            -- the complaint as received (canonical JSON)
    received_at     INTEGER NOT NULL,         -- unix ms, when the citizen complained
    stage           TEXT NOT NULL,            -- complaint::model::Stage::key()
    deadline_at     INTEGER NOT NULL,         -- unresolved by then: escalated, unix ms
    escalation_note TEXT,                     -- why the unit could not resolve it
    answer          TEXT,                     -- the written answer or decision
    answered_by     TEXT,                     -- staff id
    answered_at     INTEGER,
    stored_at       INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX complaints_stage ON complaints (stage, deadline_at);
CREATE INDEX complaints_day ON complaints (day, booth_number);

-- Append-only, hash-chained record of every action: who, in which role, when, from which stage
-- to which. Answers and complaint contents appear only as hashes.
CREATE TABLE audit (
    seq          INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    complaint_id TEXT NOT NULL,
    actor        TEXT NOT NULL,               -- staff id, "system", or "booth:<id>"
    role         TEXT NOT NULL,               -- the staff member's role, "system" or "booth"
    action       TEXT NOT NULL,               -- submit | forward:<unit> | resolve | escalate | decide
    from_stage   TEXT NOT NULL,
    to_stage     TEXT NOT NULL,
    detail       TEXT NOT NULL,
    prev_hash    BLOB NOT NULL,
    hash         BLOB NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit chain is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit chain is append-only'); END;
