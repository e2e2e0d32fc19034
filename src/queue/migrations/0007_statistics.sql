-- The office's statistics (dashboard and daily report): one row per recording, with nothing
-- personal — no name, NIK, NIK tag, image or receipt number — only times, the SOP step times,
-- the operator's staff id and where the record went. No foreign key to packets: a row outlives
-- the purge of its applicant and of the packet itself.

CREATE TABLE recording_stats (
    packet_id    TEXT PRIMARY KEY,               -- UUID v7 (also the audit chain's key)
    recorded_at  INTEGER NOT NULL,               -- unix ms
    operator_id  TEXT NOT NULL,                  -- staff id from the config
    steps        TEXT NOT NULL,                  -- JSON [{"step","seconds","standard"}]
    exceptions   INTEGER NOT NULL,               -- fingers and eyes recorded as exceptions
    state        TEXT NOT NULL,                  -- the packet's state, kept in step
    sent_at      INTEGER,                        -- the centre had it
    verdict      TEXT,                           -- print_ready | duplicate | adjudicate | enroll_failure
    verdict_at   INTEGER,
    receipt_at   INTEGER,                        -- proof of recording first printed
    handed_at    INTEGER                         -- card handed over (issued or picked up)
);
CREATE INDEX recording_stats_recorded ON recording_stats (recorded_at);

-- Rows for the records already in the queue (their step times are sealed: none here).
INSERT INTO recording_stats (packet_id, recorded_at, operator_id, steps, exceptions, state,
                             verdict, handed_at)
SELECT id, recorded_at, '', '[]', 0, state,
       CASE WHEN state IN ('print_ready', 'duplicate', 'adjudicate', 'enroll_failure', 'issued', 'picked_up')
            THEN CASE WHEN state IN ('issued', 'picked_up') THEN 'print_ready' ELSE state END END,
       CASE WHEN state IN ('issued', 'picked_up') THEN updated_at END
FROM packets;

-- Every measurement of the link, not only the last, for the link rate over the day.
CREATE TABLE link_rate_samples (
    at          INTEGER NOT NULL,                 -- unix ms
    bits_per_s  INTEGER NOT NULL
);
CREATE INDEX link_rate_samples_at ON link_rate_samples (at);
