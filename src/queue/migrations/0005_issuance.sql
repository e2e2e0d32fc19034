-- Issuance an auditor can follow: every card print attempt, every blank card loaded, printed or
-- spoiled, the sign-in lockout, and the supervisor approvals given at the booth. No personal
-- data: ids, times, outcomes, reasons chosen from fixed lists.

-- One row per physical card put through the printer for a record. A row is written *before*
-- the job is sent (outcome 'sending'), so a crash mid-print leaves a card the booth knows about.
CREATE TABLE card_prints (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    packet_id    TEXT NOT NULL REFERENCES packets (id),
    attempt      INTEGER NOT NULL,                -- 1 for the first card of this record
    started_at   INTEGER NOT NULL,                -- unix ms
    finished_at  INTEGER,
    outcome      TEXT NOT NULL,                   -- sending | printed | failed | spoiled
    printer_job  TEXT,                            -- the printer's job id, once it gave one
    error        TEXT,                            -- why it failed (device words, no personal data)
    chip_at      INTEGER,                         -- when its chip was written and verified
    reprint_of   INTEGER REFERENCES card_prints (id),
    reason       TEXT,                            -- a reprint's reason (misprint, chip, jam, ...)
    approved_by  TEXT,                            -- the supervisor who allowed the reprint
    UNIQUE (packet_id, attempt)
);
CREATE INDEX card_prints_packet ON card_prints (packet_id);

-- The booth's blank-card stock as a ledger: loaded (+n), used by a print (-1), adjustments by
-- the technician (+/-). The stock is the sum.
CREATE TABLE blank_stock (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    delta      INTEGER NOT NULL,
    reason     TEXT NOT NULL,                     -- loaded | printed | adjusted
    print_id   INTEGER REFERENCES card_prints (id),
    by_whom    TEXT NOT NULL                      -- staff id
);

-- The PIN lockout of the kiosk's sign-in, so a restart does not clear it. One row.
CREATE TABLE signin_lockout (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    failures     INTEGER NOT NULL,
    locked_until INTEGER                          -- unix ms, NULL when not locked
);
INSERT INTO signin_lockout (id, failures, locked_until) VALUES (1, 0, NULL);

-- A keyed hash of each record's NIK (HMAC under the booth's local key), so a second recording of
-- the same person at this booth is found before capture without keeping NIKs in clear.
ALTER TABLE packets ADD COLUMN nik_tag BLOB;
CREATE INDEX packets_nik_tag ON packets (nik_tag);
-- The centre's verdict as a machine code (the kiosk words it in the operator's language).
ALTER TABLE packets ADD COLUMN verdict_code TEXT;
-- Whether the centre has been told the card was handed over (so its record says issued).
ALTER TABLE packets ADD COLUMN issue_reported INTEGER NOT NULL DEFAULT 0;
