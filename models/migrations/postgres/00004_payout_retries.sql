-- +goose Up
-- A verdict's payout the ledger rejected stays committed to the verdict
-- (failed_amount) until support retries it; retry_of links the new instruction.
ALTER TABLE milestones ADD COLUMN failed_amount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ledger_instructions ADD COLUMN retry_of TEXT;
CREATE UNIQUE INDEX ledger_instructions_retry_of ON ledger_instructions (retry_of);

-- +goose Down
DROP INDEX ledger_instructions_retry_of;
ALTER TABLE ledger_instructions DROP COLUMN retry_of;
ALTER TABLE milestones DROP COLUMN failed_amount;
