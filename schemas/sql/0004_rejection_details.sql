-- A summary refusal (e.g. completion refused) lists every item behind it.
ALTER TABLE outcomes ADD COLUMN details jsonb;
ALTER TABLE rejections ADD COLUMN details jsonb;

-- Plaque scans, counted per day and code (no personal data is kept).
CREATE TABLE plaque_scans (
  day          date    NOT NULL,
  code_digest  text    NOT NULL,
  result       text    NOT NULL,
  scans        bigint  NOT NULL DEFAULT 0,
  PRIMARY KEY (day, code_digest, result)
);
GRANT SELECT, INSERT, UPDATE ON plaque_scans TO qtrail_app;
