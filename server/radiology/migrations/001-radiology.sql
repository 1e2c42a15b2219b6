-- Reading status per study for the radiologists' worklist: which ImagingStudy a DICOM study became,
-- its patient and order, and its report's status. Kept by a write hook on ImagingStudy and
-- DiagnosticReport, so it holds however they are written (radiology routes, FHIR API, transactions).
CREATE TABLE IF NOT EXISTS radiology_study (
  study_uid text PRIMARY KEY,
  imaging_study_id text NOT NULL,
  patient_id text,
  order_id text,
  report_id text,
  report_status text
);
CREATE INDEX IF NOT EXISTS radiology_study_imaging ON radiology_study (imaging_study_id);
CREATE INDEX IF NOT EXISTS radiology_study_report ON radiology_study (report_id);
