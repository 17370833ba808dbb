-- +goose Up
CREATE TABLE projects (
    id            TEXT PRIMARY KEY,
    title         TEXT NOT NULL,
    employer_id   TEXT NOT NULL,
    freelancer_id TEXT NOT NULL,
    currency      TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    CHECK (employer_id <> freelancer_id)
);
CREATE INDEX projects_employer ON projects (employer_id, id);
CREATE INDEX projects_freelancer ON projects (freelancer_id, id);

CREATE TABLE milestones (
    id              TEXT PRIMARY KEY,
    project_id      TEXT NOT NULL REFERENCES projects (id),
    description     TEXT NOT NULL,
    currency        TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    released_amount BIGINT NOT NULL DEFAULT 0 CHECK (released_amount >= 0),
    returned_amount BIGINT NOT NULL DEFAULT 0 CHECK (returned_amount >= 0),
    pending_amount  BIGINT NOT NULL DEFAULT 0 CHECK (pending_amount >= 0),
    state           TEXT NOT NULL,
    dispute_id      TEXT,
    ops             BIGINT NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    CHECK (released_amount + returned_amount + pending_amount <= amount)
);
CREATE INDEX milestones_project ON milestones (project_id, id);

CREATE TABLE ledger_instructions (
    seq             BIGSERIAL PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL,
    currency        TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    from_account    TEXT NOT NULL,
    to_account      TEXT NOT NULL,
    project_id      TEXT NOT NULL REFERENCES projects (id),
    milestone_id    TEXT REFERENCES milestones (id),
    dispute_id      TEXT,
    reference       TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    settled_at      TIMESTAMPTZ
);
CREATE INDEX ledger_instructions_pending ON ledger_instructions (seq) WHERE status = 'pending';
CREATE INDEX ledger_instructions_milestone ON ledger_instructions (milestone_id, seq);

CREATE TABLE ledger_entries (
    id             BIGSERIAL PRIMARY KEY,
    instruction_id TEXT NOT NULL REFERENCES ledger_instructions (id),
    account        TEXT NOT NULL,
    currency       TEXT NOT NULL,
    amount         BIGINT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (instruction_id, account)
);
CREATE INDEX ledger_entries_account ON ledger_entries (account, currency);

CREATE TABLE idempotency_keys (
    user_id       TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status_code   INTEGER NOT NULL,
    response_body BYTEA NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE ledger_entries;
DROP TABLE ledger_instructions;
DROP TABLE milestones;
DROP TABLE projects;
