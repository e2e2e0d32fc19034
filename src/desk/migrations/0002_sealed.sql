-- The complaint, its answer and its escalation note are sealed at rest with the desk's storage
-- key from now on; rows written before are sealed when the store opens (this flag says which
-- have been).

ALTER TABLE complaints ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
