-- Material alerts (read model and history) and the index of report numbers already sealed.

CREATE TABLE alerts (
  project_id   text        NOT NULL,
  alert_id     text        NOT NULL,
  kind         text        NOT NULL,
  severity     text        NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  events       text[]      NOT NULL,
  message_zh   text        NOT NULL,
  message_en   text        NOT NULL,
  blocking     boolean     NOT NULL,
  raised_at    timestamptz NOT NULL,
  PRIMARY KEY (project_id, alert_id)
);
CREATE INDEX alerts_raised ON alerts (raised_at);
CREATE TRIGGER alerts_no_update BEFORE UPDATE OR DELETE ON alerts
  FOR EACH ROW EXECUTE FUNCTION qtrail_refuse_change();

-- Every sealed report number, across all projects: a number seen again is a counterfeit signal.
CREATE TABLE report_numbers (
  report_number text        PRIMARY KEY,
  project_id    text        NOT NULL,
  event_id      text        NOT NULL,
  lab_code      text        NOT NULL,
  sealed_at     timestamptz NOT NULL
);
CREATE TRIGGER report_numbers_no_update BEFORE UPDATE OR DELETE ON report_numbers
  FOR EACH ROW EXECUTE FUNCTION qtrail_refuse_change();

GRANT SELECT, INSERT ON alerts, report_numbers TO qtrail_app;
