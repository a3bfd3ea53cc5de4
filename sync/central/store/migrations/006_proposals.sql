-- Residents' proposals (issue 15): the proposal and its history as JSON, the
-- tracker and only the hash of its secret, and the applicant's contact sealed
-- with AES-GCM by a key the database never sees (forgotten when the edition ends).
CREATE TABLE proposals (
	id text PRIMARY KEY,
	edition text NOT NULL,
	tracker text NOT NULL UNIQUE,
	secret_hash bytea NOT NULL,
	contact_sealed bytea,
	held text NOT NULL DEFAULT '',
	body jsonb NOT NULL
);
CREATE INDEX proposals_by_edition ON proposals (edition, id);
