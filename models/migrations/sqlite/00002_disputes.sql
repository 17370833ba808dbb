-- +goose Up
CREATE TABLE disputes (
    id               TEXT PRIMARY KEY,
    project_id       TEXT NOT NULL REFERENCES projects (id),
    employer_id      TEXT NOT NULL,
    freelancer_id    TEXT NOT NULL,
    claimant_id      TEXT NOT NULL,
    claimant_role    TEXT NOT NULL CHECK (claimant_role IN ('employer', 'freelancer')),
    respondent_id    TEXT NOT NULL,
    reason           TEXT NOT NULL,
    description      TEXT NOT NULL,
    currency         TEXT NOT NULL,
    total_amount     BIGINT NOT NULL CHECK (total_amount > 0),
    claim_amount     BIGINT NOT NULL CHECK (claim_amount >= 0 AND claim_amount <= total_amount),
    stage            TEXT NOT NULL,
    outcome          TEXT,
    release_amount   BIGINT,
    return_amount    BIGINT,
    rationale        TEXT NOT NULL DEFAULT '',
    fee_amount       BIGINT NOT NULL,
    employer_fee     TEXT NOT NULL,
    freelancer_fee   TEXT NOT NULL,
    fee_refund       TEXT NOT NULL DEFAULT '',
    first_payer      TEXT NOT NULL DEFAULT '',
    arbitrator_id    TEXT,
    deadline_at      DATETIME,
    deadline_kind    TEXT NOT NULL DEFAULT '',
    version          BIGINT NOT NULL,
    last_event_hash  TEXT NOT NULL DEFAULT '',
    last_event_index BIGINT NOT NULL DEFAULT 0,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    resolved_at      DATETIME,
    CHECK (release_amount IS NULL OR release_amount + return_amount = total_amount)
);
CREATE INDEX disputes_claimant ON disputes (claimant_id, id);
CREATE INDEX disputes_respondent ON disputes (respondent_id, id);
CREATE INDEX disputes_arbitrator ON disputes (arbitrator_id, id);
CREATE INDEX disputes_stage ON disputes (stage, id);
CREATE INDEX disputes_deadline ON disputes (deadline_at) WHERE deadline_at IS NOT NULL;

CREATE TABLE dispute_milestones (
    dispute_id   TEXT NOT NULL REFERENCES disputes (id),
    milestone_id TEXT NOT NULL REFERENCES milestones (id),
    amount       BIGINT NOT NULL CHECK (amount > 0),
    PRIMARY KEY (dispute_id, milestone_id)
);

CREATE TABLE offers (
    id             TEXT PRIMARY KEY,
    dispute_id     TEXT NOT NULL REFERENCES disputes (id),
    party          TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    release_amount BIGINT NOT NULL CHECK (release_amount >= 0),
    note           TEXT NOT NULL,
    status         TEXT NOT NULL,
    created_at     DATETIME NOT NULL
);
CREATE INDEX offers_dispute ON offers (dispute_id, id);

CREATE TABLE dispute_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    dispute_id TEXT NOT NULL REFERENCES disputes (id),
    idx        BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    at         DATETIME NOT NULL,
    data       TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    UNIQUE (dispute_id, idx)
);

CREATE TABLE arbitrators (
    user_id    TEXT PRIMARY KEY,
    created_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE arbitrators;
DROP TABLE dispute_events;
DROP TABLE offers;
DROP TABLE dispute_milestones;
DROP TABLE disputes;
