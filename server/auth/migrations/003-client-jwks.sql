-- SMART Backend Services (http://hl7.org/fhir/smart-app-launch/backend-services.html): a client may
-- authenticate with a signed assertion (private_key_jwt, RFC 7523) verified against the public keys
-- it registered (a JWK Set stored here, or a JWKS URL). Each assertion's jti is kept until the
-- assertion expires, so that a replayed one is refused.
ALTER TABLE auth_client ADD COLUMN IF NOT EXISTS jwks jsonb;
ALTER TABLE auth_client ADD COLUMN IF NOT EXISTS jwks_url text;

CREATE TABLE IF NOT EXISTS auth_client_assertion (
  client_id text NOT NULL,
  jti text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (client_id, jti)
);
CREATE INDEX IF NOT EXISTS auth_client_assertion_expires ON auth_client_assertion (expires_at);
