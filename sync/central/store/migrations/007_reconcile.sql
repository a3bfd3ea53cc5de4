-- Reconciliation of voting points: each kiosk's latest signed closing
-- report, and the coordinator's sign-offs of points that cannot reconcile,
-- each with its recorded reason, and which ballots first arrived by USB.
CREATE TABLE closing_reports (
	kiosk     text PRIMARY KEY,
	closed_at timestamptz NOT NULL,
	report    jsonb NOT NULL,
	received  timestamptz NOT NULL
);
CREATE TABLE signoffs (
	kiosk     text PRIMARY KEY,
	reason    text NOT NULL,
	signed_by text NOT NULL,
	at        timestamptz NOT NULL
);
CREATE TABLE usb_ballots (
	id text PRIMARY KEY
);
