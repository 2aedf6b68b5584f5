-- An id reused for other content is told apart at the gateway: submissions keep the envelope's
-- digest (SHA-256 of its RFC 8785 bytes), as outcomes do.
ALTER TABLE submissions ADD COLUMN digest bytea;

-- Regulators' web sessions live here, never in the cookie: the cookie holds a random token, this
-- table its SHA-256, the key it was opened with, and when it ends.
CREATE TABLE web_sessions (
  token_hash  bytea       PRIMARY KEY CHECK (length(token_hash) = 32),
  key_id      text        NOT NULL,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  ended_at    timestamptz
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

-- Scans of forged plaque codes, counted per project and day: one row (and one alert) per project
-- and day however often an anonymous client scans, and only for projects that exist.
CREATE TABLE forged_scans (
  project_id  text        NOT NULL,
  day         date        NOT NULL,
  scans       bigint      NOT NULL CHECK (scans >= 1),
  first_at    timestamptz NOT NULL,
  last_at     timestamptz NOT NULL,
  last_reason text        NOT NULL,
  PRIMARY KEY (project_id, day)
);

GRANT SELECT, INSERT ON web_sessions TO qtrail_api;
GRANT UPDATE (ended_at) ON web_sessions TO qtrail_api;
GRANT SELECT, INSERT ON forged_scans TO qtrail_api;
GRANT UPDATE (scans, last_at, last_reason) ON forged_scans TO qtrail_api;
GRANT SELECT ON web_sessions, forged_scans TO qtrail_reader;
GRANT SELECT ON forged_scans TO qtrail_recorder;
