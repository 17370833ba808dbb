-- +goose Up
CREATE TABLE conversations (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    kind       TEXT NOT NULL CHECK (kind IN ('project', 'group')),
    title      TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX conversations_one_per_project ON conversations (project_id) WHERE kind = 'project';
CREATE INDEX conversations_project ON conversations (project_id);

CREATE TABLE participants (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    user_id         TEXT NOT NULL,
    added_by        TEXT NOT NULL,
    added_at        DATETIME NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX participants_user ON participants (user_id);

-- Projects created before chat existed get their conversation now.
INSERT INTO conversations (id, project_id, kind, title, created_by, created_at)
    SELECT 'cnv_' || id, id, 'project', title, employer_id, created_at FROM projects;
INSERT INTO participants (conversation_id, user_id, added_by, added_at)
    SELECT 'cnv_' || id, employer_id, employer_id, created_at FROM projects
    UNION ALL
    SELECT 'cnv_' || id, freelancer_id, employer_id, created_at FROM projects;

CREATE TABLE files (
    id           TEXT PRIMARY KEY,
    uploader_id  TEXT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    created_at   DATETIME NOT NULL
);

CREATE TABLE messages (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    sender_id       TEXT NOT NULL,
    body            TEXT NOT NULL,
    attachments     TEXT NOT NULL,
    call_media      TEXT,
    call_started_at DATETIME,
    call_duration_s BIGINT,
    flags           TEXT NOT NULL,
    hash            TEXT NOT NULL,
    created_at      DATETIME NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);

CREATE TABLE message_files (
    message_id TEXT NOT NULL REFERENCES messages (id),
    file_id    TEXT NOT NULL REFERENCES files (id),
    PRIMARY KEY (message_id, file_id)
);
CREATE INDEX message_files_file ON message_files (file_id);

CREATE TABLE evidence (
    id              TEXT PRIMARY KEY,
    dispute_id      TEXT NOT NULL REFERENCES disputes (id),
    submitter_id    TEXT NOT NULL,
    party           TEXT NOT NULL,
    stage           TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('note', 'file', 'chat')),
    file_id         TEXT REFERENCES files (id),
    conversation_id TEXT REFERENCES conversations (id),
    content         TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    created_at      DATETIME NOT NULL
);
CREATE INDEX evidence_dispute ON evidence (dispute_id, id);
CREATE INDEX evidence_file ON evidence (file_id);

CREATE TABLE reports (
    id          TEXT PRIMARY KEY,
    reporter_id TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    message_ids TEXT NOT NULL,
    note        TEXT NOT NULL,
    created_at  DATETIME NOT NULL
);

CREATE TABLE sanctions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('warning', 'suspension')),
    until      DATETIME,
    reason     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX sanctions_user ON sanctions (user_id, kind);

-- +goose Down
DROP TABLE sanctions;
DROP TABLE reports;
DROP TABLE evidence;
DROP TABLE message_files;
DROP TABLE messages;
DROP TABLE files;
DROP TABLE participants;
DROP TABLE conversations;
