-- Signed checkpoints: an append-only Merkle log (RFC 6962) of project chain heads.
-- Each checkpoint appends a leaf for every project whose head moved, then signs the tree head.

CREATE TABLE checkpoint_leaves (
  leaf_index  bigint      PRIMARY KEY CHECK (leaf_index >= 0),
  project_id  text        NOT NULL,
  seq         bigint      NOT NULL,
  head        bytea       NOT NULL CHECK (length(head) = 32),
  leaf        bytea       NOT NULL,  -- the exact RFC 8785 bytes hashed as the leaf
  checkpoint  bigint      NOT NULL
);
CREATE INDEX checkpoint_leaves_project ON checkpoint_leaves (project_id, seq DESC);

CREATE TABLE checkpoints (
  number      bigint      PRIMARY KEY CHECK (number >= 1),
  tree_size   bigint      NOT NULL,
  root        bytea       NOT NULL CHECK (length(root) = 32),
  tree_head   bytea       NOT NULL,  -- the exact RFC 8785 bytes signed
  key_id      text        NOT NULL,
  signature   bytea       NOT NULL,
  signed_at   timestamptz NOT NULL
);

CREATE TRIGGER checkpoint_leaves_no_update BEFORE UPDATE OR DELETE ON checkpoint_leaves
  FOR EACH ROW EXECUTE FUNCTION qtrail_refuse_change();
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE OR DELETE ON checkpoints
  FOR EACH ROW EXECUTE FUNCTION qtrail_refuse_change();

GRANT SELECT, INSERT ON checkpoint_leaves, checkpoints TO qtrail_app;
