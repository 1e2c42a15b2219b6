-- Bulk Data export jobs (http://hl7.org/fhir/uv/bulkdata/export.html): kept in the database so that
-- status polling works from any server process and after a restart; the NDJSON files are on disk.
CREATE TABLE bulk_export_job (
  id text PRIMARY KEY,
  -- Who asked: only they may poll, download or cancel ("account:<id>" or "client:<id>").
  owner text NOT NULL,
  status text NOT NULL,
  request_url text NOT NULL,
  -- What to export: { level, types, since, patients, groupId }.
  scope jsonb NOT NULL,
  transaction_time timestamptz NOT NULL DEFAULT now(),
  progress text,
  -- The manifest's output and error arrays once complete.
  output jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX bulk_export_job_queued ON bulk_export_job (created_at) WHERE status = 'accepted';
