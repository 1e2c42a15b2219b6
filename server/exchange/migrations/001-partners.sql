-- Other organisations' FHIR servers we exchange with (referral out, record in). Their credentials live
-- here, never in FHIR resources, logs or API answers: the client secret for client_credentials, or our
-- own key pair for SMART Backend Services (the private JWK signs our client assertions; the public JWK
-- is published at /exchange/jwks for the partner to register).
CREATE TABLE IF NOT EXISTS exchange_partner (
  id text PRIMARY KEY,
  name text NOT NULL,
  base_url text NOT NULL,                -- the partner's FHIR base
  organization_system text,              -- the partner's identifier (e.g. USCI / hospital code)
  organization_value text,
  auth_kind text NOT NULL CHECK (auth_kind IN ('client-credentials', 'smart-backend')),
  client_id text NOT NULL,               -- the client id the partner registered for us
  token_url text,                        -- null: discovered from [base]/.well-known/smart-configuration
  scope text NOT NULL DEFAULT 'system/*.*',
  client_secret text,                    -- client-credentials
  key_id text,                           -- smart-backend: kid of our key pair
  private_jwk jsonb,
  public_jwk jsonb,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
