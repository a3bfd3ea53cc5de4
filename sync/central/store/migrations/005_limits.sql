-- Rate-limit buckets (sign-in per address and per account, enrollment, the
-- public check), shared by every replica. A bucket full again (full_at) is
-- forgotten: it answers as a missing one would.
CREATE TABLE limits (
	key     text PRIMARY KEY,
	tokens  double precision NOT NULL,
	at      timestamptz NOT NULL,
	full_at timestamptz NOT NULL
);
CREATE INDEX limits_full_at ON limits (full_at);
