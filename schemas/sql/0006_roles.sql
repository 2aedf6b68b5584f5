-- Least privilege: each service logs in as its own role holding only the writes it makes.
-- The roles are cluster-wide and made by deploy/stack.sh (deploy/postgres-init.sh on Docker
-- hosts): qtrail_owner (cannot log in) owns everything below; qtrail_migrator logs in to run
-- migrations and key management as the owner; qtrail_api is the gateway and portal;
-- qtrail_recorder seals the trail; qtrail_reader is read-only (regulators' tools, verify, replay,
-- export). qtrail_app, the single services' role before this migration, keeps no rights.
-- Grants are explicit per table (no default privileges): a later migration that adds a table
-- grants it to the roles that need it.

REVOKE ALL ON trail, outcomes, rejections, project_heads, submissions, ingest_rejections,
  api_keys, evidence, alerts, report_numbers, plaque_scans, checkpoint_leaves, checkpoints
  FROM qtrail_app;
REVOKE ALL ON SEQUENCE rejections_id_seq, ingest_rejections_id_seq FROM qtrail_app;

-- Only qtrail's roles connect; nobody but the owner creates anything, temporary tables included.
DO $$
BEGIN
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO qtrail_api, qtrail_recorder, qtrail_reader',
                 current_database());
END $$;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO qtrail_api, qtrail_recorder, qtrail_reader;

-- The gateway records what it accepted and refused and the evidence it received; the portal
-- counts plaque scans. Nothing else: the internet-facing process cannot touch the trail, the
-- decisions, the alerts, the checkpoint log or the keys. It reads what the portal shows.
GRANT SELECT ON trail, outcomes, rejections, project_heads, submissions, api_keys, evidence,
  alerts, report_numbers, plaque_scans, checkpoint_leaves, checkpoints TO qtrail_api;
GRANT INSERT ON submissions, ingest_rejections, evidence TO qtrail_api;
GRANT INSERT, UPDATE (scans) ON plaque_scans TO qtrail_api;
GRANT USAGE ON SEQUENCE ingest_rejections_id_seq TO qtrail_api;

-- The recorder appends the trail and what follows from it, keeps the heads, signs checkpoints.
GRANT SELECT ON trail, outcomes, rejections, project_heads, alerts, report_numbers,
  checkpoint_leaves, checkpoints TO qtrail_recorder;
GRANT INSERT ON trail, outcomes, rejections, alerts, report_numbers, checkpoint_leaves,
  checkpoints TO qtrail_recorder;
GRANT INSERT, UPDATE (seq, head, state, updated_at) ON project_heads TO qtrail_recorder;
GRANT USAGE ON SEQUENCE rejections_id_seq TO qtrail_recorder;

-- Read-only, for everything but the key hashes.
GRANT SELECT ON trail, outcomes, rejections, project_heads, submissions, ingest_rejections,
  evidence, alerts, report_numbers, plaque_scans, checkpoint_leaves, checkpoints TO qtrail_reader;
