-- The booth's queue: one row per enrollment packet, its sealed envelope until the centre has it,
-- the locally sealed applicant summary until the applicant has their card, and the audit chain.

CREATE TABLE packets (
    id              TEXT PRIMARY KEY,            -- UUID v7, the idempotency key at the centre
    day             TEXT NOT NULL,               -- YYMMDD (WIB) of recording
    queue_no        INTEGER NOT NULL,            -- the applicant's number that day
    receipt_no      TEXT NOT NULL UNIQUE,        -- printed on the proof of recording
    state           TEXT NOT NULL,               -- see queue::state::State
    handover        TEXT NOT NULL DEFAULT 'none',-- none | receipt_due | receipt_printed
    recorded_at     INTEGER NOT NULL,            -- unix ms
    deadline_at     INTEGER NOT NULL,            -- end of the verdict window, unix ms
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,            -- next send (or verdict poll) at, unix ms
    last_error      TEXT,
    verdict_detail  TEXT,
    updated_at      INTEGER NOT NULL,
    UNIQUE (day, queue_no)
);
CREATE INDEX packets_due ON packets (state, next_attempt_at);

-- The HPKE-sealed, booth-signed envelope (CBOR). Deleted once the centre confirms receipt.
CREATE TABLE sealed (
    id       TEXT PRIMARY KEY REFERENCES packets (id),
    envelope BLOB NOT NULL
);

-- Name and NIK for the waiting list, the receipt and pickup, sealed with the booth's local key.
-- Deleted once the applicant has the card.
CREATE TABLE applicant (
    id     TEXT PRIMARY KEY REFERENCES packets (id),
    sealed BLOB NOT NULL
);

-- The centre's print-ready bundle (card data and security object), sealed with the local key.
-- Deleted once the card is issued.
CREATE TABLE personalization (
    id     TEXT PRIMARY KEY REFERENCES packets (id),
    sealed BLOB NOT NULL
);

-- Append-only, hash-chained record of every transition. No personal data.
CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    packet_id  TEXT NOT NULL,
    event      TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    detail     TEXT NOT NULL,
    prev_hash  BLOB NOT NULL,
    hash       BLOB NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit chain is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit chain is append-only'); END;
