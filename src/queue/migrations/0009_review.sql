-- Review before sending (per office, `[procedure] review_before_send`): a saved record may wait
-- in state 'awaiting_review' until the supervisor approves it (then 'recorded', its verdict
-- window starting at the approval) or rejects it ('rejected', its sealed payload and applicant
-- summary deleted). What the supervisor judges by is kept with the statistics, nothing personal:
-- each capture's quality against its threshold or its exception, the approvals given at the
-- booth, and the review's outcome. The reason of a rejection is in the audit chain.

ALTER TABLE recording_stats ADD COLUMN captures TEXT NOT NULL DEFAULT '[]';  -- JSON [{"slot","quality","min"} | {"slot","exception"}]
ALTER TABLE recording_stats ADD COLUMN approvals TEXT NOT NULL DEFAULT '[]'; -- JSON [{"what","reason","supervisor_id"}]
ALTER TABLE recording_stats ADD COLUMN review TEXT;           -- approved | rejected
ALTER TABLE recording_stats ADD COLUMN reviewed_at INTEGER;   -- unix ms
ALTER TABLE recording_stats ADD COLUMN reviewer_id TEXT;      -- the supervisor's staff id
