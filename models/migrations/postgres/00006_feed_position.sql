-- +goose Up
-- The feed is ordered by (writing transaction, seq) and shows only rows of
-- transactions that have ended: a reader past a position never finds a new
-- row behind it, without serialising the writers on one lock.
ALTER TABLE ledger_instructions ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX ledger_instructions_feed ON ledger_instructions (txid, seq);

-- +goose Down
DROP INDEX ledger_instructions_feed;
ALTER TABLE ledger_instructions DROP COLUMN txid;
