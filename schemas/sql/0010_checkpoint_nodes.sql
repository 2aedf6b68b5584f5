-- The checkpoint log's Merkle tree kept as the hashes of its perfect subtrees (issue 14), so a
-- checkpoint appends k leaves at O(k + log n) and a proof or a tile reads O(log n) rows instead
-- of rehashing every leaf. Node (level, node_index) is the root of the perfect subtree over leaves
-- [node_index * 2^level, (node_index + 1) * 2^level): level 0 holds the leaf hashes; a node is
-- written once its subtree is complete and never changes after, as the leaves never do.
-- The checkpointer checks the nodes a new root depends on against the signed root before signing,
-- the API checks every proof it serves against the signed roots, and the audit recomputes them all.

CREATE TABLE checkpoint_nodes (
  level       smallint    NOT NULL CHECK (level BETWEEN 0 AND 63),
  node_index  bigint      NOT NULL CHECK (node_index >= 0),
  hash        bytea       NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (level, node_index)
);

CREATE TRIGGER checkpoint_nodes_no_update BEFORE UPDATE OR DELETE ON checkpoint_nodes
  FOR EACH ROW EXECUTE FUNCTION qtrail_refuse_change();

-- The existing log's nodes, built here in the migration's own transaction: leaf hashes
-- (SHA-256(0x00 || leaf)), then each level's pairs (SHA-256(0x01 || left || right)) until no
-- pair is complete. RFC 6962 hashing, as services/domain/merkle.py does it.
INSERT INTO checkpoint_nodes (level, node_index, hash)
  SELECT 0, leaf_index, sha256('\x00'::bytea || leaf) FROM checkpoint_leaves;

DO $$
DECLARE
  below smallint := 0;
  added bigint;
BEGIN
  LOOP
    INSERT INTO checkpoint_nodes (level, node_index, hash)
      SELECT below + 1, l.node_index / 2, sha256('\x01'::bytea || l.hash || r.hash)
      FROM checkpoint_nodes l
      JOIN checkpoint_nodes r ON r.level = below AND r.node_index = l.node_index + 1
      WHERE l.level = below AND l.node_index % 2 = 0;
    GET DIAGNOSTICS added = ROW_COUNT;
    EXIT WHEN added = 0;
    below := below + 1;
  END LOOP;
END $$;

-- Appended by the recorder's checkpointer only; read by whoever reads the log.
GRANT SELECT ON checkpoint_nodes TO qtrail_api, qtrail_recorder, qtrail_reader;
GRANT INSERT ON checkpoint_nodes TO qtrail_recorder;
