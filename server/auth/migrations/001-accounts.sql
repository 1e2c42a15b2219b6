-- Accounts of staff and patients, their sessions, one-time codes, OAuth clients and codes.
-- Secrets are stored only as hashes: passwords with argon2id, refresh tokens, one-time codes,
-- client secrets and authorization codes with SHA-256 (they are long random values).

CREATE TABLE IF NOT EXISTS auth_account (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('staff', 'patient')),
  username text UNIQUE,                 -- staff log-in name, lower case
  email text UNIQUE,                    -- lower case
  phone text UNIQUE,                    -- digits, with country code
  password_hash text,
  roles text[] NOT NULL DEFAULT '{}',
  display_name text,
  practitioner_id text,                 -- staff: the Practitioner they are
  practitioner_role_id text,
  patient_id text,                      -- patients: their Patient, after the real-name check
  document_type text,                   -- the identity document checked at sign-up
  document_number text,
  totp_secret text,                     -- set once confirmed
  totp_pending_secret text,             -- set up but not yet confirmed
  totp_last_step bigint,                -- replay protection: a code's time step is used once
  disabled boolean NOT NULL DEFAULT false,
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  password_changed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- One identity document, one account (实名制).
CREATE UNIQUE INDEX IF NOT EXISTS auth_account_document ON auth_account (document_type, document_number);

-- Family members a patient account may act for (a child, an elderly parent).
CREATE TABLE IF NOT EXISTS auth_proxy (
  account_id text NOT NULL REFERENCES auth_account (id),
  patient_id text NOT NULL,
  relationship text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, patient_id)
);

CREATE TABLE IF NOT EXISTS auth_one_time_code (
  id text PRIMARY KEY,
  destination text NOT NULL,            -- e-mail or phone
  purpose text NOT NULL,
  code_hash text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS auth_one_time_code_destination ON auth_one_time_code (destination, purpose, created_at);

-- A log-in (browser or app): its refresh token rotates on every use; a previous one presented again
-- means it was stolen, and the whole session is revoked (OAuth 2.0 Security BCP, refresh token rotation).
CREATE TABLE IF NOT EXISTS auth_session (
  id text PRIMARY KEY,
  account_id text REFERENCES auth_account (id),
  client_id text,
  scope text,
  launch_patient text,
  refresh_hash text UNIQUE,
  previous_refresh_hash text,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS auth_session_previous ON auth_session (previous_refresh_hash);
CREATE INDEX IF NOT EXISTS auth_session_account ON auth_session (account_id);

CREATE TABLE IF NOT EXISTS auth_client (
  client_id text PRIMARY KEY,
  secret_hash text,                     -- null: a public client (PKCE only)
  name text NOT NULL,
  grant_types text[] NOT NULL,
  redirect_uris text[] NOT NULL DEFAULT '{}',
  scope text NOT NULL,                  -- the most it may be granted
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS auth_code (
  code_hash text PRIMARY KEY,
  client_id text NOT NULL,
  account_id text NOT NULL REFERENCES auth_account (id),
  redirect_uri text NOT NULL,
  code_challenge text NOT NULL,
  scope text NOT NULL,
  launch_patient text,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

-- The key access tokens are signed with, shared by every server process on this database.
CREATE TABLE IF NOT EXISTS auth_signing_key (
  id text PRIMARY KEY,
  secret text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
