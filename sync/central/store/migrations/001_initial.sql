CREATE TABLE kiosks (
    id         text PRIMARY KEY,
    venue      text NOT NULL,
    public_key bytea NOT NULL,
    enrolled   timestamptz NOT NULL,
    last_seen  timestamptz,
    heartbeat  jsonb NOT NULL DEFAULT '{}',
    skew_ms    bigint NOT NULL DEFAULT 0
);

CREATE TABLE enroll_codes (
    code_hash bytea PRIMARY KEY,
    venue     text NOT NULL,
    expires   timestamptz NOT NULL,
    used      timestamptz
);

CREATE TABLE catalogs (
    version int PRIMARY KEY,
    edition bytea NOT NULL,
    sig     bytea NOT NULL
);

CREATE TABLE ballots (
    id        text PRIMARY KEY,
    kiosk     text NOT NULL,
    seq       bigint NOT NULL,
    prev      text NOT NULL,
    cast_at   timestamptz NOT NULL,
    voter_key bytea NOT NULL,
    body      jsonb NOT NULL,
    received  timestamptz NOT NULL
);
CREATE INDEX ballots_kiosk_seq ON ballots (kiosk, seq);

-- One row per voter: the ballot that counts. Replicas race on it through
-- INSERT … ON CONFLICT … WHERE earlier, which PostgreSQL applies atomically.
CREATE TABLE counted (
    voter_key bytea PRIMARY KEY,
    ballot_id text NOT NULL REFERENCES ballots (id),
    cast_at   timestamptz NOT NULL
);
