-- Tamper-evident audit trail over FHIR R4 AuditEvent resources (http://hl7.org/fhir/R4/auditevent.html;
-- IHE BALP records them like any resource). AuditEvents are stored by the engine like every resource
-- (fhir_resource, fhir_resource_history); this migration makes them append-only and queues each new
-- one for the sealer (server/audit/seal.ts), which links them into a hash chain (server/audit/chain.ts).
--
-- Errors raised here carry their own SQLSTATE class "AU" (PostgreSQL allows any five characters of
-- digits and capitals; class AU is not used by PostgreSQL):
--   AU001  an AuditEvent would be updated, deleted or changed: audit records are append-only
--   AU002  audit_chain would be updated, deleted or truncated: the chain is append-only

-- One row per sealed AuditEvent, in sealing order. seq runs 1, 2, 3 … without gaps; history_seq
-- points at the history row whose content was hashed. Sealing order is not history order: a long
-- transaction can commit its records after later ones were sealed.
CREATE TABLE IF NOT EXISTS audit_chain (
  seq bigint PRIMARY KEY,
  history_seq bigint NOT NULL UNIQUE,
  resource_id text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  sealed_at timestamptz NOT NULL DEFAULT now()
);
-- Verification looks up whether an AuditEvent was sealed by its id.
CREATE INDEX IF NOT EXISTS audit_chain_resource ON audit_chain (resource_id);

-- AuditEvents written but not sealed yet. Filled by a trigger in the writing transaction, so an
-- entry becomes visible exactly when its record commits: the sealer cannot skip a record that a
-- long transaction commits late (history seq order is not commit order).
CREATE TABLE IF NOT EXISTS audit_unsealed (
  history_seq bigint PRIMARY KEY
);

CREATE OR REPLACE FUNCTION audit_queue_for_sealing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_unsealed (history_seq) VALUES (NEW.seq);
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS audit_queue_for_sealing ON fhir_resource_history;
CREATE TRIGGER audit_queue_for_sealing AFTER INSERT ON fhir_resource_history
  FOR EACH ROW WHEN (NEW.resource_type = 'AuditEvent') EXECUTE FUNCTION audit_queue_for_sealing();

-- AuditEvents stored before this migration are queued too, so the chain covers them. (Versions
-- after the first, written before the append-only triggers below existed, are left out: verification
-- reports them.)
INSERT INTO audit_unsealed (history_seq)
  SELECT seq FROM fhir_resource_history WHERE resource_type = 'AuditEvent' AND version_id = 1 AND NOT deleted
  ON CONFLICT DO NOTHING;

-- Append-only at the database level: an AuditEvent has exactly one version. The engine's update and
-- delete write version 2 (a new history row), which is refused here, so the whole statement fails
-- and nothing of it is written. Changing the stored rows in place is refused as well.
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target text := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
BEGIN
  RAISE EXCEPTION 'AuditEvent/% is an audit record: it cannot be updated or deleted', target
    USING ERRCODE = 'AU001', DETAIL = format('%s on %s refused', TG_OP, TG_TABLE_NAME),
      HINT = 'Audit records are append-only; record a new AuditEvent instead.';
END
$$;

DROP TRIGGER IF EXISTS audit_event_new_version ON fhir_resource_history;
CREATE TRIGGER audit_event_new_version BEFORE INSERT ON fhir_resource_history
  FOR EACH ROW WHEN (NEW.resource_type = 'AuditEvent' AND (NEW.version_id <> 1 OR NEW.deleted))
  EXECUTE FUNCTION audit_event_append_only();

DROP TRIGGER IF EXISTS audit_event_history_immutable ON fhir_resource_history;
CREATE TRIGGER audit_event_history_immutable BEFORE UPDATE OR DELETE ON fhir_resource_history
  FOR EACH ROW WHEN (OLD.resource_type = 'AuditEvent') EXECUTE FUNCTION audit_event_append_only();

DROP TRIGGER IF EXISTS audit_event_current_immutable ON fhir_resource;
CREATE TRIGGER audit_event_current_immutable BEFORE UPDATE OR DELETE ON fhir_resource
  FOR EACH ROW WHEN (OLD.resource_type = 'AuditEvent') EXECUTE FUNCTION audit_event_append_only();

CREATE OR REPLACE FUNCTION audit_chain_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_chain is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'AU002', HINT = 'Sealed audit records can neither be changed nor removed.';
END
$$;

DROP TRIGGER IF EXISTS audit_chain_append_only ON audit_chain;
CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain
  FOR EACH ROW EXECUTE FUNCTION audit_chain_append_only();

DROP TRIGGER IF EXISTS audit_chain_no_truncate ON audit_chain;
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
  FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_append_only();
