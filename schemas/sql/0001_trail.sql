-- The sealed trail and the recorder's bookkeeping.
-- The trail is append-only: triggers refuse UPDATE, DELETE and TRUNCATE, and the services' role
-- (qtrail_app) holds INSERT and SELECT only. A superuser can still rewrite rows, which is why
-- every chain is verified from its stored canonical bytes.

CREATE FUNCTION qtrail_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'qtrail: % is append-only; % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TABLE trail (
  project_id  text        NOT NULL,
  seq         bigint      NOT NULL CHECK (seq >= 1),
  event_id    text        NOT NULL,
  type        text        NOT NULL,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL,
  actor_org   text        NOT NULL,
  record      bytea       NOT NULL,  -- the exact RFC 8785 bytes that were hashed
  prev_hash   bytea       NOT NULL CHECK (length(prev_hash) = 32),
  hash        bytea       NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (project_id, seq)
) PARTITION BY HASH (project_id);

DO $$
BEGIN
  FOR i IN 0..15 LOOP
    EXECUTE format(
      'CREATE TABLE trail_p%s PARTITION OF trail FOR VALUES WITH (MODULUS 16, REMAINDER %s)',
      lpad(i::text, 2, '0'), i);
    EXECUTE format(
      'CREATE TRIGGER trail_no_truncate BEFORE TRUNCATE ON trail_p%s '
      'FOR EACH STATEMENT EXECUTE FUNCTION qtrail_refuse_change()', lpad(i::text, 2, '0'));
  END LOOP;
END $$;

CREATE TRIGGER trail_no_update BEFORE UPDATE OR DELETE ON trail
  FOR EACH ROW EXECUTE FUNCTION qtrail_refuse_change();
CREATE TRIGGER trail_no_truncate BEFORE TRUNCATE ON trail
  FOR EACH STATEMENT EXECUTE FUNCTION qtrail_refuse_change();

-- First outcome of every event id: sealed (with its position) or rejected (with its reason).
CREATE TABLE outcomes (
  event_id     text        PRIMARY KEY,
  status       text        NOT NULL CHECK (status IN ('sealed', 'rejected')),
  project_id   text,
  seq          bigint,
  hash         bytea,
  digest       bytea       NOT NULL,
  reason_code  text,
  message_zh   text,
  message_en   text,
  decided_at   timestamptz NOT NULL,
  CHECK ((status = 'sealed') = (seq IS NOT NULL AND hash IS NOT NULL)),
  CHECK ((status = 'rejected') = (reason_code IS NOT NULL))
);
CREATE TRIGGER outcomes_no_update BEFORE UPDATE OR DELETE ON outcomes
  FOR EACH ROW EXECUTE FUNCTION qtrail_refuse_change();
CREATE TRIGGER outcomes_no_truncate BEFORE TRUNCATE ON outcomes
  FOR EACH STATEMENT EXECUTE FUNCTION qtrail_refuse_change();

-- Every refusal the recorder made, conflicts included, with the bytes it refused.
CREATE TABLE rejections (
  id           bigserial   PRIMARY KEY,
  event_id     text,
  project_id   text,
  type         text,
  digest       bytea,
  reason_code  text        NOT NULL,
  message_zh   text        NOT NULL,
  message_en   text        NOT NULL,
  conflict     boolean     NOT NULL DEFAULT false,
  raw          bytea       NOT NULL,
  rejected_at  timestamptz NOT NULL
);
CREATE INDEX rejections_project ON rejections (project_id, rejected_at);
CREATE INDEX rejections_event ON rejections (event_id);
CREATE TRIGGER rejections_no_update BEFORE UPDATE OR DELETE ON rejections
  FOR EACH ROW EXECUTE FUNCTION qtrail_refuse_change();
CREATE TRIGGER rejections_no_truncate BEFORE TRUNCATE ON rejections
  FOR EACH STATEMENT EXECUTE FUNCTION qtrail_refuse_change();

-- The recorder's snapshot of each project: chain head and the state its decisions need.
-- Derived from the trail (replayable), so it may change.
CREATE TABLE project_heads (
  project_id  text        PRIMARY KEY,
  seq         bigint      NOT NULL,
  head        bytea       NOT NULL,
  state       jsonb       NOT NULL,
  updated_at  timestamptz NOT NULL
);

-- What the gateway accepted into Kafka, so a status query can answer "pending".
CREATE TABLE submissions (
  event_id     text        PRIMARY KEY,
  project_id   text        NOT NULL,
  type         text        NOT NULL,
  received_at  timestamptz NOT NULL
);

-- Every request the gateway refused (4xx), with the errors it named.
CREATE TABLE ingest_rejections (
  id           bigserial   PRIMARY KEY,
  received_at  timestamptz NOT NULL,
  endpoint     text        NOT NULL,
  event_id     text,
  status       integer     NOT NULL,
  errors       jsonb       NOT NULL,
  body         bytea       NOT NULL
);

GRANT SELECT, INSERT ON trail, outcomes, rejections, submissions, ingest_rejections TO qtrail_app;
GRANT SELECT, INSERT, UPDATE ON project_heads TO qtrail_app;
GRANT USAGE ON SEQUENCE rejections_id_seq, ingest_rejections_id_seq TO qtrail_app;
