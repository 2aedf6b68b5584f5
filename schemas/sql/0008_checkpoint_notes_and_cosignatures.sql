-- The log's checkpoints in the open C2SP form (c2sp.org/tlog-checkpoint): each checkpoint keeps
-- its signed note beside the JSON tree head, written in the same INSERT (the table refuses
-- UPDATE). Checkpoints signed before this migration have none.
ALTER TABLE checkpoints ADD COLUMN note text;

-- Witnesses' cosignatures (c2sp.org/tlog-cosignature, cosignature/v1) of those checkpoints, one
-- per checkpoint and witness key, the first kept. The API accepts them, only from witness keys
-- its settings name and only once the signature verifies over the stored note; so the
-- internet-facing process may append here, and nowhere else in the checkpoint log.
CREATE TABLE cosignatures (
  checkpoint  bigint      NOT NULL REFERENCES checkpoints (number),
  witness     text        NOT NULL,
  key_id      bigint      NOT NULL CHECK (key_id BETWEEN 0 AND 4294967295),
  signature   bytea       NOT NULL CHECK (length(signature) = 72),
  received_at timestamptz NOT NULL,
  PRIMARY KEY (checkpoint, witness, key_id)
);

CREATE TRIGGER cosignatures_no_update BEFORE UPDATE OR DELETE ON cosignatures
  FOR EACH ROW EXECUTE FUNCTION qtrail_refuse_change();
CREATE TRIGGER cosignatures_no_truncate BEFORE TRUNCATE ON cosignatures
  FOR EACH STATEMENT EXECUTE FUNCTION qtrail_refuse_change();

GRANT SELECT, INSERT ON cosignatures TO qtrail_api;
GRANT SELECT ON cosignatures TO qtrail_recorder, qtrail_reader;
