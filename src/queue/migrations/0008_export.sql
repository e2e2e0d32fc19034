-- Backlog by hand-carry: a packet written to a removable drive is marked, not moved. It keeps
-- waiting for the centre's confirmation (state and purge rules unchanged); the mark tells the
-- transmitter to ask the centre whether it already has the packet before uploading it.

ALTER TABLE packets ADD COLUMN exported_at INTEGER;   -- unix ms of the last verified export
ALTER TABLE packets ADD COLUMN export_folder TEXT;    -- that export's folder name (no path)
