-- One signing key pair per staff account (issue: "server-held per-user key is acceptable"). The private
-- key never leaves the server; the public key verifies signatures on display.
CREATE TABLE IF NOT EXISTS signing_key (
  account_id text PRIMARY KEY,
  public_jwk text NOT NULL,
  private_pkcs8 text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
