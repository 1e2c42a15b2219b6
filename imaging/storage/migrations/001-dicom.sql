-- The study index: what QIDO-RS matches on and WADO-RS /metadata answers from, so that no query
-- reads instance files (PS3.18 §10.6, §10.4). One row per study, series and instance.
CREATE TABLE IF NOT EXISTS dicom_study (
  study_uid text PRIMARY KEY,
  patient_id text,
  issuer_of_patient_id text,
  patient_name text,
  -- Upper-cased name groups (alphabetic, ideographic, phonetic) for case-insensitive PN matching.
  patient_name_groups text[] NOT NULL DEFAULT '{}',
  patient_birth_date text,
  patient_sex text,
  study_date text,
  study_time text,
  accession_number text,
  study_description text,
  study_id text,
  referring_physician_name text,
  modalities text[] NOT NULL DEFAULT '{}',
  series_count integer NOT NULL DEFAULT 0,
  instance_count integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS dicom_study_date ON dicom_study (study_date, study_time);
CREATE INDEX IF NOT EXISTS dicom_study_patient ON dicom_study (patient_id);
CREATE INDEX IF NOT EXISTS dicom_study_accession ON dicom_study (accession_number);

CREATE TABLE IF NOT EXISTS dicom_series (
  series_uid text PRIMARY KEY,
  study_uid text NOT NULL REFERENCES dicom_study (study_uid) ON DELETE CASCADE,
  modality text,
  series_number integer,
  series_description text,
  body_part_examined text,
  series_date text,
  series_time text,
  instance_count integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS dicom_series_study ON dicom_series (study_uid);

CREATE TABLE IF NOT EXISTS dicom_instance (
  sop_instance_uid text PRIMARY KEY,
  series_uid text NOT NULL REFERENCES dicom_series (series_uid) ON DELETE CASCADE,
  study_uid text NOT NULL,
  sop_class_uid text NOT NULL,
  instance_number integer,
  number_of_frames integer NOT NULL DEFAULT 0,
  rows integer,
  columns integer,
  transfer_syntax_uid text NOT NULL,
  blob_key text NOT NULL,
  size bigint NOT NULL,
  pixel_layout text,
  -- DICOM JSON (PS3.18 §F.2) as text with {{bulk}} placeholders: /metadata concatenates it as it is.
  metadata text NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS dicom_instance_series ON dicom_instance (series_uid, instance_number);
CREATE INDEX IF NOT EXISTS dicom_instance_study ON dicom_instance (study_uid);
CREATE INDEX IF NOT EXISTS dicom_instance_blob ON dicom_instance (blob_key);
