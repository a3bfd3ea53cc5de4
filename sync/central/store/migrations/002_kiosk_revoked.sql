-- A revoked kiosk (stolen or lost): the central refuses its requests and ballots.
ALTER TABLE kiosks ADD COLUMN revoked timestamptz;
