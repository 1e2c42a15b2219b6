-- Current version of every resource. Deletes are logical (http://hl7.org/fhir/R4/http.html#delete):
-- the row stays with deleted = true so that reads answer 410 Gone and versions keep counting.
CREATE TABLE IF NOT EXISTS fhir_resource (
  resource_type text NOT NULL,
  id text NOT NULL,
  version_id integer NOT NULL,
  last_updated timestamptz NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  content jsonb,
  PRIMARY KEY (resource_type, id)
);
CREATE INDEX IF NOT EXISTS fhir_resource_type_updated ON fhir_resource (resource_type, last_updated) WHERE NOT deleted;

-- Every version ever written (http://hl7.org/fhir/R4/http.html#history). seq gives one total
-- order across types for system history and for keyset paging.
CREATE TABLE IF NOT EXISTS fhir_resource_history (
  seq bigint GENERATED ALWAYS AS IDENTITY,
  resource_type text NOT NULL,
  id text NOT NULL,
  version_id integer NOT NULL,
  last_updated timestamptz NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  method text NOT NULL,
  content jsonb,
  PRIMARY KEY (resource_type, id, version_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS fhir_resource_history_seq ON fhir_resource_history (seq);
CREATE INDEX IF NOT EXISTS fhir_resource_history_type_seq ON fhir_resource_history (resource_type, seq);
CREATE INDEX IF NOT EXISTS fhir_resource_history_updated ON fhir_resource_history (last_updated);

-- Search index tables (http://hl7.org/fhir/R4/search.html#ptypes). One row per extracted value of
-- one search parameter of the current, non-deleted version; rows are replaced on every write in the
-- same database transaction, so the index never disagrees with fhir_resource.
CREATE TABLE IF NOT EXISTS fhir_sp_string (
  resource_type text NOT NULL,
  id text NOT NULL,
  param text NOT NULL,
  value text NOT NULL,          -- as written, for :exact
  value_norm text NOT NULL      -- lower case, accents removed, for the default starts-with match
);
CREATE INDEX IF NOT EXISTS fhir_sp_string_lookup ON fhir_sp_string (resource_type, param, value_norm text_pattern_ops);
CREATE INDEX IF NOT EXISTS fhir_sp_string_owner ON fhir_sp_string (resource_type, id);

CREATE TABLE IF NOT EXISTS fhir_sp_token (
  resource_type text NOT NULL,
  id text NOT NULL,
  param text NOT NULL,
  system text,                  -- null when the value carries no system
  code text,                    -- null for a text-only CodeableConcept
  text_norm text                -- display / CodeableConcept.text, normalised, for :text
);
CREATE INDEX IF NOT EXISTS fhir_sp_token_lookup ON fhir_sp_token (resource_type, param, code, system);
CREATE INDEX IF NOT EXISTS fhir_sp_token_owner ON fhir_sp_token (resource_type, id);

CREATE TABLE IF NOT EXISTS fhir_sp_reference (
  resource_type text NOT NULL,
  id text NOT NULL,
  param text NOT NULL,
  target_type text,             -- null for references whose type cannot be known
  target_id text,
  target_url text               -- absolute / canonical references kept as written
);
CREATE INDEX IF NOT EXISTS fhir_sp_reference_lookup ON fhir_sp_reference (resource_type, param, target_id, target_type);
CREATE INDEX IF NOT EXISTS fhir_sp_reference_target ON fhir_sp_reference (target_type, target_id);
CREATE INDEX IF NOT EXISTS fhir_sp_reference_owner ON fhir_sp_reference (resource_type, id);

-- Dates as the closed interval they denote (a date of precision day covers the whole day).
CREATE TABLE IF NOT EXISTS fhir_sp_date (
  resource_type text NOT NULL,
  id text NOT NULL,
  param text NOT NULL,
  low timestamptz,              -- null = unbounded below
  high timestamptz              -- null = unbounded above
);
CREATE INDEX IF NOT EXISTS fhir_sp_date_lookup ON fhir_sp_date (resource_type, param, low, high);
CREATE INDEX IF NOT EXISTS fhir_sp_date_owner ON fhir_sp_date (resource_type, id);

CREATE TABLE IF NOT EXISTS fhir_sp_number (
  resource_type text NOT NULL,
  id text NOT NULL,
  param text NOT NULL,
  value numeric NOT NULL,
  low numeric NOT NULL,         -- implicit precision range, http://hl7.org/fhir/R4/search.html#number
  high numeric NOT NULL
);
CREATE INDEX IF NOT EXISTS fhir_sp_number_lookup ON fhir_sp_number (resource_type, param, value);
CREATE INDEX IF NOT EXISTS fhir_sp_number_owner ON fhir_sp_number (resource_type, id);

CREATE TABLE IF NOT EXISTS fhir_sp_quantity (
  resource_type text NOT NULL,
  id text NOT NULL,
  param text NOT NULL,
  system text,
  code text,
  unit text,
  value numeric NOT NULL,
  low numeric NOT NULL,
  high numeric NOT NULL
);
CREATE INDEX IF NOT EXISTS fhir_sp_quantity_lookup ON fhir_sp_quantity (resource_type, param, value);
CREATE INDEX IF NOT EXISTS fhir_sp_quantity_owner ON fhir_sp_quantity (resource_type, id);

CREATE TABLE IF NOT EXISTS fhir_sp_uri (
  resource_type text NOT NULL,
  id text NOT NULL,
  param text NOT NULL,
  value text NOT NULL
);
CREATE INDEX IF NOT EXISTS fhir_sp_uri_lookup ON fhir_sp_uri (resource_type, param, value text_pattern_ops);
CREATE INDEX IF NOT EXISTS fhir_sp_uri_owner ON fhir_sp_uri (resource_type, id);
