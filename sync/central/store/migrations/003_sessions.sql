-- Dashboard sign-ins, shared by every replica; only the hash of a token is kept.
CREATE TABLE sessions (
	token_hash bytea PRIMARY KEY,
	username text NOT NULL,
	expires timestamptz NOT NULL
);
