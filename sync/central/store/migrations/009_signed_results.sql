-- The results documents signed with the edition key, in the order they
-- were signed (never replaced): the latest is served, with the reason it
-- replaced the one before.
CREATE TABLE signed_results (
	n      bigserial PRIMARY KEY,
	at     timestamptz NOT NULL,
	state  text NOT NULL,
	reason text NOT NULL DEFAULT '',
	file   bytea NOT NULL
);
