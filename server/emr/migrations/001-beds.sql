-- Beds and who lies in them, derived from the Location and Encounter resources by a write hook
-- (server/emr/beds/occupancy-hook.ts) inside every transaction that writes them. The primary key
-- of emr_bed_occupancy is the guarantee that a bed never holds two patients, however the
-- Encounter is written (operations, plain FHIR updates, transaction Bundles, imports).
CREATE TABLE IF NOT EXISTS emr_bed (
  bed_id text PRIMARY KEY,
  room_id text,
  ward_id text,
  -- HL7 v2 table 0116 Bed Status: U unoccupied, O occupied, K contaminated (being cleaned), C closed.
  status text
);
CREATE INDEX IF NOT EXISTS emr_bed_ward ON emr_bed (ward_id);

CREATE TABLE IF NOT EXISTS emr_bed_occupancy (
  bed_id text PRIMARY KEY,
  encounter_id text NOT NULL,
  patient_id text,
  since text
);
CREATE INDEX IF NOT EXISTS emr_bed_occupancy_encounter ON emr_bed_occupancy (encounter_id);

-- Imaging orders waiting for their study, for the radiology worklist (server/emr/orders/).
CREATE TABLE IF NOT EXISTS emr_imaging_order (
  service_request_id text PRIMARY KEY,
  accession_number text NOT NULL UNIQUE,
  patient_id text,
  patient_name text,
  status text NOT NULL,
  code_text text,
  modality text,
  authored text,
  requester text
);
CREATE SEQUENCE IF NOT EXISTS emr_outpatient_number;
CREATE SEQUENCE IF NOT EXISTS emr_inpatient_number;
