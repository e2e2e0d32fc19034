-- The technician's self-test history: what was tested, when, and how it went (device identity
-- and checks only; nothing about applicants).

CREATE TABLE selftests (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,                  -- unix ms
    role      TEXT NOT NULL,
    driver    TEXT NOT NULL,
    model     TEXT NOT NULL,
    serial    TEXT NOT NULL,
    passed    INTEGER NOT NULL,
    report    TEXT NOT NULL                      -- the full report, JSON
);
CREATE INDEX selftests_at ON selftests (at);
