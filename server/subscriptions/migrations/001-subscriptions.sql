-- The delivery queue of rest-hook Subscriptions (http://hl7.org/fhir/R4/subscription.html).
-- sub_change: a write of a watched type, appended inside the writing transaction (so it commits or rolls
-- back with the write) and matched against the active Subscriptions after the commit.
CREATE TABLE sub_change (
  id bigserial PRIMARY KEY,
  resource_type text NOT NULL,
  resource_id text NOT NULL,
  version_id integer NOT NULL,
  event text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- sub_delivery: one notification owed to one Subscription. Sent in id order per subscription; a failed
-- one waits until next_at (exponential back-off) and blocks the later ones of its subscription.
CREATE TABLE sub_delivery (
  id bigserial PRIMARY KEY,
  subscription_id text NOT NULL,
  kind text NOT NULL,
  resource_type text,
  resource_id text,
  event text,
  attempts integer NOT NULL DEFAULT 0,
  next_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sub_delivery_due ON sub_delivery (subscription_id, id);

-- Per subscription: notifications sent since it became active (SubscriptionStatus.eventsSinceSubscriptionStart)
-- and when the last one went out (heartbeats are due a period after it).
CREATE TABLE sub_state (
  subscription_id text PRIMARY KEY,
  events_sent bigint NOT NULL DEFAULT 0,
  last_sent_at timestamptz
);
