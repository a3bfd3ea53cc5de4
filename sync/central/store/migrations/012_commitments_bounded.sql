-- Only the latest MaxCommitments (64) chain-head commitments of a kiosk are
-- kept (RecordHeartbeat drops older ones): trim what a flood left before.
DELETE FROM commitments WHERE ctid IN (
    SELECT ctid FROM (SELECT ctid, row_number() OVER (PARTITION BY kiosk ORDER BY at DESC, seq DESC) AS n FROM commitments) r
    WHERE r.n > 64);
