-- Defects reported by the public through a plaque's page: kept here, off the chain, until the
-- owner party verifies one and files it as qtrail.warranty.defect_reported.v1 (public_report =
-- the receipt). Append-only: a report is what was sent, as sent. The contact is the only
-- personal data, given by choice; only the gateway (serving the owner party's key) reads it.
CREATE TABLE public_reports (
  receipt       text        PRIMARY KEY CHECK (receipt ~ '^PR-[A-Z0-9]{12}$'),
  project_id    text        NOT NULL,
  unit_id       text        NOT NULL,
  plaque_serial integer     NOT NULL CHECK (plaque_serial >= 1),
  part          text        NOT NULL,
  dwelling      text        CHECK (length(dwelling) BETWEEN 1 AND 24),
  description   text        NOT NULL CHECK (length(description) BETWEEN 1 AND 1000),
  contact       text        CHECK (length(contact) BETWEEN 1 AND 100),
  received_at   timestamptz NOT NULL
);
CREATE INDEX public_reports_project ON public_reports (project_id, received_at);

CREATE TRIGGER public_reports_no_update BEFORE UPDATE OR DELETE ON public_reports
  FOR EACH ROW EXECUTE FUNCTION qtrail_refuse_change();
CREATE TRIGGER public_reports_no_truncate BEFORE TRUNCATE ON public_reports
  FOR EACH STATEMENT EXECUTE FUNCTION qtrail_refuse_change();

GRANT SELECT, INSERT ON public_reports TO qtrail_api;
GRANT SELECT (receipt, project_id, unit_id, plaque_serial, part, dwelling, description, received_at)
  ON public_reports TO qtrail_reader;
