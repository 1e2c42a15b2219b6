-- Booking (网上挂号). Slots and Appointments are FHIR resources in the engine's tables; these tables
-- are what makes booking fast and safe on top of them:
--  * booking_slot is a projection of every Slot (kept by a write hook in the Slot's own transaction),
--    so that availability is one indexed query instead of a FHIR search per page view;
--  * booking_claim holds one row per place taken in a slot. Its primary key is the guarantee that
--    a place is never given twice, whichever way an Appointment is written (operation, REST,
--    transaction): a second claim of the same place conflicts in the database, not in application code.

CREATE TABLE IF NOT EXISTS booking_slot (
  slot_id text PRIMARY KEY,
  schedule_id text NOT NULL,
  service_id text,                      -- the HealthcareService (department) of the Schedule
  role_id text,                         -- the PractitionerRole (doctor) of the Schedule
  start_at timestamptz NOT NULL,
  end_at timestamptz NOT NULL,
  capacity integer NOT NULL CHECK (capacity >= 0),
  first_number integer NOT NULL DEFAULT 1,
  status text NOT NULL                  -- the Slot's status as written (busy-unavailable: closed, 停诊)
);
CREATE INDEX IF NOT EXISTS booking_slot_service_start ON booking_slot (service_id, start_at);
CREATE INDEX IF NOT EXISTS booking_slot_schedule_start ON booking_slot (schedule_id, start_at);

CREATE TABLE IF NOT EXISTS booking_claim (
  slot_id text NOT NULL,
  position integer NOT NULL CHECK (position >= 1),
  patient_id text NOT NULL,
  appointment_id text,                  -- null: a hold ($hold) until expires_at
  status text NOT NULL,                 -- the Appointment's status, or 'held'
  expires_at timestamptz,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (slot_id, position)
);
CREATE INDEX IF NOT EXISTS booking_claim_appointment ON booking_claim (appointment_id);
CREATE INDEX IF NOT EXISTS booking_claim_patient ON booking_claim (patient_id);
CREATE INDEX IF NOT EXISTS booking_claim_expiry ON booking_claim (expires_at) WHERE appointment_id IS NULL;

-- Weekly templates (出诊模板) per Schedule, and per-department booking settings.
CREATE TABLE IF NOT EXISTS booking_template (
  schedule_id text PRIMARY KEY,
  template jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Closed clinics (停诊) and hospital holidays: no slots are offered, booked ones are cancelled.
CREATE TABLE IF NOT EXISTS booking_closure (
  id text PRIMARY KEY,
  schedule_id text,                     -- null: the whole hospital (a holiday)
  day date NOT NULL,
  period text NOT NULL CHECK (period IN ('morning', 'afternoon', 'day')),
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS booking_closure_day ON booking_closure (day);

-- The hospital's booking rules (one row), JSON validated by server/booking/rules.ts.
CREATE TABLE IF NOT EXISTS booking_settings (
  id integer PRIMARY KEY CHECK (id = 1),
  settings jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
