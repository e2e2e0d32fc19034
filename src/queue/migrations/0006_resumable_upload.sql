-- Resumable uploads (tus 1.0.0). A packet's upload URL at the centre and the offset the centre
-- last acknowledged survive a restart, so a send cut part way resumes where the centre is
-- instead of starting over; the sealed size stays after the envelope is deleted, for
-- `queue list` and for the time the backlog will take.

ALTER TABLE packets ADD COLUMN sealed_size INTEGER;      -- bytes of the sealed envelope
ALTER TABLE packets ADD COLUMN upload_url TEXT;          -- the tus upload URL, once created
ALTER TABLE packets ADD COLUMN upload_offset INTEGER NOT NULL DEFAULT 0; -- bytes acknowledged

UPDATE packets SET sealed_size = (SELECT length(s.envelope) FROM sealed s WHERE s.id = packets.id);

-- The link's last measured rate (one row), for the queue panel's backlog estimate.
CREATE TABLE link_rate (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    bits_per_s  INTEGER NOT NULL,
    measured_at INTEGER NOT NULL                   -- unix ms
);
