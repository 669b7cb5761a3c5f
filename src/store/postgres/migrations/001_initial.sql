-- The shared sandbox's state. Records are kept whole as json (key order and all, so an adapter
-- swap never changes what a partner or the dashboard reads); the columns beside them are what
-- the port filters, sorts, locks and expires on.

CREATE TABLE facematch.submissions (
  correlation_id text PRIMARY KEY,
  partner_id text NOT NULL,
  status text NOT NULL,
  reference_id text,
  scenario text,
  created_at timestamptz NOT NULL,
  process_due_at timestamptz,
  record json NOT NULL
);
CREATE INDEX submissions_by_partner ON facematch.submissions (partner_id, created_at DESC);
CREATE INDEX submissions_by_creation ON facematch.submissions (created_at);
CREATE INDEX submissions_by_reference ON facematch.submissions (reference_id) WHERE reference_id IS NOT NULL;
CREATE INDEX submissions_processing ON facematch.submissions (partner_id, process_due_at)
  WHERE status = 'PROCESSING';

CREATE TABLE facematch.images (
  correlation_id text NOT NULL REFERENCES facematch.submissions ON DELETE CASCADE,
  role text NOT NULL,
  content_type text NOT NULL,
  etag text NOT NULL,
  size integer NOT NULL,
  stored_at timestamptz NOT NULL,
  bytes bytea NOT NULL,
  PRIMARY KEY (correlation_id, role)
);
CREATE INDEX images_by_upload ON facematch.images (stored_at);

CREATE TABLE facematch.deliveries (
  webhook_id text PRIMARY KEY,
  -- One completion delivery per submission, whoever finished it.
  correlation_id text NOT NULL UNIQUE REFERENCES facematch.submissions ON DELETE CASCADE,
  partner_id text NOT NULL,
  state text NOT NULL,
  next_attempt_at timestamptz,
  created_at timestamptz NOT NULL,
  revision integer NOT NULL,
  record json NOT NULL
);
CREATE INDEX deliveries_by_partner ON facematch.deliveries (partner_id, created_at DESC);
-- Deliveries with an attempt to come: pending ones, and delivered ones with forced repeats.
CREATE INDEX deliveries_due ON facematch.deliveries (partner_id, next_attempt_at) WHERE next_attempt_at IS NOT NULL;

CREATE TABLE facematch.scenario_counters (
  correlation_id text NOT NULL REFERENCES facematch.submissions ON DELETE CASCADE,
  name text NOT NULL,
  value integer NOT NULL,
  PRIMARY KEY (correlation_id, name)
);

-- A row without an answer is a claim: a request with that key is being answered.
CREATE TABLE facematch.idempotency_answers (
  key text PRIMARY KEY,
  partner_id text NOT NULL,
  claimed_at timestamptz NOT NULL,
  answer json,
  stored_at timestamptz
);
CREATE INDEX idempotency_by_partner ON facematch.idempotency_answers (partner_id);
CREATE INDEX idempotency_by_storage ON facematch.idempotency_answers (stored_at);

CREATE TABLE facematch.partner_clocks (
  partner_id text PRIMARY KEY,
  offset_ms bigint NOT NULL,
  frozen_at_ms bigint
);

CREATE TABLE facematch.scenario_queue (
  seq bigserial PRIMARY KEY,
  partner_id text NOT NULL,
  scenario text NOT NULL,
  remaining integer NOT NULL
);
CREATE INDEX scenario_queue_by_partner ON facematch.scenario_queue (partner_id, seq);

CREATE TABLE facematch.journal (
  id bigserial PRIMARY KEY,
  -- partner_id, or '' for requests of no known partner: they are bounded as one more partner.
  partner_key text NOT NULL,
  partner_id text,
  correlation_id text,
  status integer NOT NULL,
  method text NOT NULL,
  path text NOT NULL,
  near_miss boolean NOT NULL,
  entry json NOT NULL
);
CREATE INDEX journal_by_partner ON facematch.journal (partner_key, id);
CREATE INDEX journal_by_correlation ON facematch.journal (correlation_id, id) WHERE correlation_id IS NOT NULL;

CREATE TABLE facematch.secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- One row per running work queue: what its graphile-worker pools and workers lock jobs as, and
-- when it last said it was alive (the database's clock, so instances on skewed hosts agree).
CREATE TABLE facematch.instances (
  id text PRIMARY KEY,
  locker_ids text[] NOT NULL DEFAULT '{}',
  description text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  heartbeat_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- A partner's clock for a step that schedules work: made as StoreOptions.initialClock says if the
-- partner has none yet, and locked (shared) so a clock change waits for the step and then
-- re-projects what it wrote; `exclusive` for the clock change itself.
CREATE FUNCTION facematch.partner_clock(p_partner text, p_initial_frozen_at_ms bigint, p_exclusive boolean)
RETURNS TABLE (offset_ms bigint, frozen_at_ms bigint)
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO facematch.partner_clocks (partner_id, offset_ms, frozen_at_ms)
    VALUES (p_partner, 0, p_initial_frozen_at_ms)
    ON CONFLICT (partner_id) DO NOTHING;
  IF p_exclusive THEN
    RETURN QUERY SELECT c.offset_ms, c.frozen_at_ms FROM facematch.partner_clocks c
      WHERE c.partner_id = p_partner FOR UPDATE;
  ELSE
    RETURN QUERY SELECT c.offset_ms, c.frozen_at_ms FROM facematch.partner_clocks c
      WHERE c.partner_id = p_partner FOR SHARE;
  END IF;
END $$;

-- Tells every instance's change feed, on commit. `origin` lets the instance that made the change
-- skip it: it has told its own subscribers already.
CREATE FUNCTION facematch.publish_change(p_origin text, p_change json) RETURNS void
LANGUAGE sql AS $$
  SELECT pg_notify('facematch_changes', json_build_object('origin', p_origin, 'change', p_change)::text);
$$;
