package models

import "time"

// Conversation kinds: every project has one between its employer and
// freelancer; groups add more participants.
const (
	ConversationProject = "project"
	ConversationGroup   = "group"
)

// Conversation is a chat thread of a project.
type Conversation struct {
	ID        string    `json:"id"`
	ProjectID string    `json:"project_id"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Participant is a member of a conversation.
type Participant struct {
	ConversationID string    `gorm:"primaryKey" json:"-"`
	UserID         string    `gorm:"primaryKey" json:"user_id"`
	AddedBy        string    `json:"added_by"`
	AddedAt        time.Time `json:"added_at"`
}

// Message is one chat message. Messages are never edited or deleted: they
// are evidence. Hash covers the content as posted; Flags holds what the
// offsite-solicitation detector found, as JSON.
type Message struct {
	ID             string
	ConversationID string
	SenderID       string
	Body           string
	Attachments    string // JSON array of file ids
	CallMedia      *string
	CallStartedAt  *time.Time
	CallDurationS  *int64
	Flags          string // JSON array of flags
	Hash           string
	CreatedAt      time.Time
}

// MessageFile links a message to a file it shares.
type MessageFile struct {
	MessageID string `gorm:"primaryKey"`
	FileID    string `gorm:"primaryKey"`
}

// File is an uploaded file, stored content-addressed by its SHA-256.
type File struct {
	ID          string    `json:"id"`
	UploaderID  string    `json:"uploader_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `gorm:"column:sha256" json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
}

// Evidence is one item submitted to a dispute. A chat excerpt is frozen in
// Content when submitted; SHA256 covers Content.
type Evidence struct {
	ID             string
	DisputeID      string
	SubmitterID    string
	Party          string
	Stage          string
	Kind           string // note, file, chat
	FileID         *string
	ConversationID *string
	Content        string // the note, or the frozen transcript as JSON
	SHA256         string `gorm:"column:sha256"`
	CreatedAt      time.Time
}

// TableName keeps the table name explicit.
func (Evidence) TableName() string { return "evidence" }

// Report is a user's report of another for offsite solicitation.
type Report struct {
	ID         string    `json:"id"`
	ReporterID string    `json:"reporter_id"`
	UserID     string    `json:"user_id"`
	MessageIDs string    `json:"-"` // JSON array
	Note       string    `json:"note"`
	CreatedAt  time.Time `json:"created_at"`
}

// Sanction is support's measure against a user.
type Sanction struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Kind      string     `json:"kind"` // warning, suspension
	Until     *time.Time `json:"until"`
	Reason    string     `json:"reason"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
}
