-- API keys per organization and kind, stored as hashes; evidence files, content-addressed.

CREATE TABLE api_keys (
  key_id       text        PRIMARY KEY,
  org_code     text        NOT NULL,
  kind         text        NOT NULL CHECK (kind IN ('party', 'lab', 'regulator', 'admin')),
  label        text        NOT NULL,
  secret_hash  bytea       NOT NULL CHECK (length(secret_hash) = 32),
  created_at   timestamptz NOT NULL,
  revoked_at   timestamptz
);
CREATE INDEX api_keys_org ON api_keys (org_code);

-- Evidence files received (the bytes live behind the evidence store port).
CREATE TABLE evidence (
  sha256       text        PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size         bigint      NOT NULL CHECK (size >= 0),
  media_type   text        NOT NULL,
  uploaded_by  text        NOT NULL,
  uploaded_at  timestamptz NOT NULL
);
CREATE TRIGGER evidence_no_update BEFORE UPDATE OR DELETE ON evidence
  FOR EACH ROW EXECUTE FUNCTION qtrail_refuse_change();

GRANT SELECT, INSERT ON api_keys, evidence TO qtrail_app;
GRANT UPDATE (revoked_at) ON api_keys TO qtrail_app;
