-- Composite search parameters (http://hl7.org/fhir/R4/search.html#composite). One row per value of
-- one component of one element instance: `grp` numbers the instances within a resource and
-- parameter, `component` is the component's position in the definition. The typed columns are
-- those of the component's own type (as in the other fhir_sp_* tables; `number` holds number and
-- quantity values), so one table serves every combination of component types.
CREATE TABLE IF NOT EXISTS fhir_sp_composite (
  resource_type text NOT NULL,
  id text NOT NULL,
  param text NOT NULL,
  grp integer NOT NULL,
  component smallint NOT NULL,
  system text,
  code text,
  unit text,
  value text,
  value_norm text,
  number numeric,
  low timestamptz,
  high timestamptz,
  target_type text,
  target_id text,
  target_url text
);
CREATE INDEX IF NOT EXISTS fhir_sp_composite_lookup ON fhir_sp_composite (resource_type, param, component, code, system);
CREATE INDEX IF NOT EXISTS fhir_sp_composite_owner ON fhir_sp_composite (resource_type, id);
