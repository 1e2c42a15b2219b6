-- Which local resource holds which resource of another hospital, and which local version the import
-- wrote: a later fetch updates only copies nobody changed here since (never a silent overwrite).
CREATE TABLE exchange_imported (
  source_url text PRIMARY KEY,
  resource_type text NOT NULL,
  local_id text NOT NULL,
  -- The remote resource as imported (its JSON without meta), to tell whether the remote changed.
  source_digest text NOT NULL,
  local_version integer NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);
