-- The implementation records of the winning projects, by edition and
-- project: responsible unit, stage, milestones (JSON).
CREATE TABLE implementation (
	edition text NOT NULL,
	project text NOT NULL,
	record  jsonb NOT NULL,
	PRIMARY KEY (edition, project)
);
