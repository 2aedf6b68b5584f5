-- Supervision stations (质量监督站) and their jurisdictions (GB/T 2260 division codes): a regulator
-- key belongs to a station and reads the projects whose site lies in its jurisdiction. A
-- province or city code covers its districts (320000 covers 32xxxx; 320300 covers 3203xx).
CREATE TABLE stations (
  code          text        PRIMARY KEY CHECK (code ~ '^[0-9A-Z]{18}$'),
  name          text        NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  jurisdiction  text[]      NOT NULL CHECK (cardinality(jurisdiction) BETWEEN 1 AND 200),
  created_at    timestamptz NOT NULL
);

-- One row per project, what the station's lists search, filter and sort by: written by the
-- recorder with each project's snapshot (project_heads), from the pure summary of its state.
CREATE TABLE project_index (
  project_id    text        PRIMARY KEY,
  seq           bigint      NOT NULL,
  station       text,
  division      text,
  name          text        NOT NULL,
  permit_number text        NOT NULL,
  address       text        NOT NULL,
  stage         text        NOT NULL,
  open_alerts   integer     NOT NULL,
  critical_alerts integer   NOT NULL,
  overdue       integer     NOT NULL,
  open_rectifications integer NOT NULL,
  stop_orders   integer     NOT NULL,
  risk          integer     NOT NULL,
  organizations text[]      NOT NULL,
  search        text        NOT NULL,
  summary       jsonb       NOT NULL,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX project_index_division ON project_index (division text_pattern_ops);
CREATE INDEX project_index_risk ON project_index (risk DESC, project_id);
CREATE INDEX project_index_organizations ON project_index USING gin (organizations);

GRANT SELECT ON stations, project_index TO qtrail_api, qtrail_reader;
GRANT SELECT, INSERT ON project_index TO qtrail_recorder;
GRANT UPDATE (seq, station, division, name, permit_number, address, stage, open_alerts,
  critical_alerts, overdue, open_rectifications, stop_orders, risk, organizations, search, summary,
  updated_at) ON project_index TO qtrail_recorder;
