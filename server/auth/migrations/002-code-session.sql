-- The session an authorization code was exchanged for: presenting the code again ends that session
-- (RFC 6749 §4.1.2: a code used twice should revoke the tokens issued from it).
ALTER TABLE auth_code ADD COLUMN IF NOT EXISTS session_id text;
