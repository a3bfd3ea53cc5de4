-- One ballot per number of a kiosk: a second, different ballot under a
-- (kiosk, seq) the central holds is refused as seq-taken. The check in
-- AddBallots sees committed rows only; this index also stops two replicas
-- (or two transactions) storing different ballots under one number at once.
CREATE UNIQUE INDEX ballots_kiosk_seq_one ON ballots (kiosk, seq);
DROP INDEX IF EXISTS ballots_kiosk_seq;
