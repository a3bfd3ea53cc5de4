-- Ballots kept aside for review ('' for none): contested, backdated, unregistered.
ALTER TABLE ballots ADD COLUMN hold text NOT NULL DEFAULT '';
-- When the counted ballot arrived: an earlier-dated ballot displaces it only
-- if its kiosk had committed to it (a heartbeat's chain head) before then.
ALTER TABLE counted ADD COLUMN received timestamptz NOT NULL DEFAULT '-infinity';
UPDATE counted c SET received = b.received FROM ballots b WHERE b.id = c.ballot_id;
-- Each kiosk's signed chain-head commitments (heartbeats), one per new head.
CREATE TABLE commitments (
    kiosk text NOT NULL,
    seq   bigint NOT NULL,
    head  text NOT NULL,
    at    timestamptz NOT NULL
);
CREATE INDEX commitments_kiosk_at ON commitments (kiosk, at);
-- Admission lists: keyed hashes of issued voter codes, of the register.
CREATE TABLE admitted (
    list      text NOT NULL,
    voter_key bytea NOT NULL,
    PRIMARY KEY (list, voter_key)
);
-- The city office set the kiosk's ballots aside for review (NULL: they count).
ALTER TABLE kiosks ADD COLUMN set_aside timestamptz;
CREATE INDEX ballots_voter_key ON ballots (voter_key);
