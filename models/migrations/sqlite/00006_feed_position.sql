-- +goose Up
-- SQLite has one writer at a time, so seq is already commit order: the
-- transaction part of the feed position is always 0 here.
ALTER TABLE ledger_instructions ADD COLUMN txid INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ledger_instructions_feed ON ledger_instructions (txid, seq);

-- +goose Down
DROP INDEX ledger_instructions_feed;
ALTER TABLE ledger_instructions DROP COLUMN txid;
