-- Ballots whose answer was withheld from their kiosk (beyond its
-- voter-lookup budget): no answer about them tells who had voted before
-- the voting window closes (Stored.Withheld).
CREATE TABLE withheld (
    ballot_id text PRIMARY KEY REFERENCES ballots (id) ON DELETE CASCADE
);
