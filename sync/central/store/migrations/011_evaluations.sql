-- "How easy was it to vote?": only the count of each answer (1-5) per
-- venue; no time, no order, no ballot, so an answer joins to nothing.
CREATE TABLE evaluations (
	venue text NOT NULL,
	score int NOT NULL CHECK (score BETWEEN 1 AND 5),
	n     bigint NOT NULL,
	PRIMARY KEY (venue, score)
);
